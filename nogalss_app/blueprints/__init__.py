"""Blueprints: auth, public pages, and one per dashboard."""
