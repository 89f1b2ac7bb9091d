"""Debian's nginx for tests: the shipped site (deploy/nginx/nogalss.conf) in a private prefix, stopped by PID."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from tests.support.live import ROOT, wait_for_port, wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "nogalss.conf"
STATIC = ROOT / "nogalss_app" / "static"


def render_site(upstream_ports: list[int], port: int, access_log: Path, sticky: bool = True) -> str:
    """Return the shipped site with its EDIT lines pointed at this test's processes, port, checkout and log.

    sticky=False drops `ip_hash` (plain round robin): the control that shows what the stickiness is for.
    """
    site = SITE.read_text()
    upstreams = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in upstream_ports)
    replacements = [
        (r"(?m)^    server 127\.0\.0\.1:[0-9]+ .*# EDIT\n", ""),  # the example processes go ...
        (r"(?m)^    ip_hash;\n", f"    ip_hash;\n{upstreams}"),  # ... and this test's take their place
        (r"listen 80;", f"listen 127.0.0.1:{port};"),
        (r"alias /srv/nogalss/nogalss_app/static/;", f"alias {STATIC}/;"),
        (r"access_log /var/log/nginx/nogalss\.access\.log nogalss;", f"access_log {access_log} nogalss;"),
    ]
    for pattern, replacement in replacements:
        site, count = re.subn(pattern, replacement, site)
        assert count >= 1, f"deploy/nginx/nogalss.conf no longer has {pattern!r}"
    return site if sticky else site.replace("    ip_hash;\n", "")


class Nginx:
    """One nginx master (not a daemon) with its config, pid, logs and temp files in `workdir`."""

    def __init__(self, workdir: Path, port: int, upstream_ports: list[int], sticky: bool = True) -> None:
        self.workdir = workdir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.access_log = workdir / "access.log"
        self.error_log = workdir / "error.log"
        self.process: subprocess.Popen | None = None
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "site.conf").write_text(render_site(upstream_ports, port, self.access_log, sticky))
        (workdir / "nginx.conf").write_text(self._main_config())

    def _main_config(self) -> str:
        """Return a main config that touches nothing outside workdir (Debian's mime.types is only read)."""
        temp = {name: self.workdir / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for path in temp.values():
            path.mkdir(exist_ok=True)
        # As root, nginx would switch its workers to "nobody", who cannot read a checkout under a private home.
        user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
        return (
            f"{user}daemon off;\nworker_processes 1;\npid {self.workdir / 'nginx.pid'};\n"
            f"error_log {self.error_log} info;\nevents {{ worker_connections 1024; }}\n"
            "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            f"    client_body_temp_path {temp['client_body']};\n    proxy_temp_path {temp['proxy']};\n"
            f"    fastcgi_temp_path {temp['fastcgi']};\n    uwsgi_temp_path {temp['uwsgi']};\n"
            f"    scgi_temp_path {temp['scgi']};\n    include {self.workdir / 'site.conf'};\n}}\n"
        )

    def check(self) -> str:
        """Return `nginx -t` output for this config (raises when the config is invalid)."""
        return subprocess.run(self._command("-t"), capture_output=True, text=True, check=True).stderr

    def _command(self, *extra: str) -> list[str]:
        """Return the nginx command line: own prefix, own config, own startup error log."""
        conf = str(self.workdir / "nginx.conf")
        return [NGINX, "-p", str(self.workdir), "-c", conf, "-e", str(self.error_log), *extra]

    def start(self) -> None:
        """Start nginx in the foreground of its own process and wait until it listens."""
        log = (self.workdir / "nginx.out").open("a")
        self.process = subprocess.Popen(self._command(), stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(self.port, timeout=15, process=self.process)
        except Exception:
            raise RuntimeError(f"nginx failed to start:\n{self.error_log.read_text()[-3000:]}") from None

    def stop(self) -> None:
        """Stop nginx by its PID (QUIT: finish open requests, then exit; TERM/KILL if it lingers)."""
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def log_lines(self, path_prefix: str, containing: str = "", at_least: int = 1) -> list[str]:
        """Return the access-log lines of requests whose path starts with path_prefix (and contain a text).

        nginx logs a request after answering it, so wait (a few seconds at most) for at_least such lines.
        """

        def lines() -> list[str]:
            if not self.access_log.exists():
                return []
            text = self.access_log.read_text().splitlines()
            return [line for line in text if f" {path_prefix}" in line and containing in line]

        wait_until(lambda: len(lines()) >= at_least, timeout=5)
        return lines()
