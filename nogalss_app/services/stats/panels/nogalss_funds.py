"""Panels of the nogalss_funds dashboard: registration fees and the Nogalss Fund's share."""

from __future__ import annotations

from ....models import Recipient
from ..panel import Panel
from .funds import fund_panels

PANELS: list[Panel] = fund_panels(Recipient.NOGALSS_FUNDS)
