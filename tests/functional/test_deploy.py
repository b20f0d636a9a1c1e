"""The shipped deployment (deploy/; README "Running in production"): the gunicorn configuration loads with the
settings the README promises, the systemd units parse (systemd-analyze, where installed), and the nginx example
passes `nginx -t` and, in front of gunicorn, keeps reset and sign-in tokens out of its access log, caps request
bodies and hands the portal its request id (where nginx is installed; CI installs it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .smtp import certificate, free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
RESET_TOKEN = "eyJhIjoiYWNjLTEiLCJjIjo0MiwiZiI6IjAxMjM0NTY3In0.Z1x2Yw.q8Jm3vX9yKc7Pp2LhT0sR5wN1dFgA4bE6iU"
SIGN_IN_TOKEN = "eyJlIjoibG90dGEuaG9sbWdyZW5AZXhlbXBlbC5zZSJ9.Z1x2Yw.Xk3nB7vQ2mLp9sT4wR8yC1dF6gH0jKzA5eU"

LOAD = """
import json, sys
sys.argv = ["gunicorn", "-c", sys.argv[1], *sys.argv[2:], "wsgi:app"]
from gunicorn.app.wsgiapp import WSGIApplication
cfg = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
print(json.dumps({k: getattr(cfg, k) for k in ("workers", "timeout", "graceful_timeout", "max_requests",
    "max_requests_jitter", "accesslog", "preload_app", "worker_class_str", "keepalive", "bind")}
    | {"access_level": cfg.logconfig_dict["loggers"]["gunicorn.access"]["level"],
       "multiproc": __import__("os").environ["PROMETHEUS_MULTIPROC_DIR"]}))
"""


def gunicorn_settings(*args: str, **env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in ("WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR")}
    result = subprocess.run([sys.executable, "-c", LOAD, str(GUNICORN_CONF), *args], env={**environment, **env},
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_gunicorn_configuration_loads_with_the_settings_the_readme_promises():
    settings = gunicorn_settings()
    assert settings["workers"] == min((os.cpu_count() or 1) * 2 + 1, 12)
    assert (settings["timeout"], settings["graceful_timeout"], settings["keepalive"]) == (30, 30, 5)
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (2000, 200)
    assert settings["accesslog"] is None and settings["access_level"] == "CRITICAL"  # no line with a raw path
    assert settings["preload_app"] is False and settings["worker_class_str"] == "sync"
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert Path(settings["multiproc"]).name.startswith("portal-metrics-")
    Path(settings["multiproc"]).rmdir()

    assert gunicorn_settings(WEB_CONCURRENCY="3", PORTAL_BIND="127.0.0.1:9001",
                             PROMETHEUS_MULTIPROC_DIR="/run/portal-web")["workers"] == 3
    given = gunicorn_settings("--workers", "2", "--bind", "127.0.0.1:9002", PROMETHEUS_MULTIPROC_DIR="/tmp/x")
    assert (given["workers"], given["bind"], given["multiproc"]) == (2, ["127.0.0.1:9002"], "/tmp/x")


def test_the_units_run_the_shipped_commands():
    web = (DEPLOY / "systemd" / "portal-web.service").read_text()
    worker = (DEPLOY / "systemd" / "portal-worker@.service").read_text()
    purge = (DEPLOY / "systemd" / "portal-purge.service").read_text()
    timer = (DEPLOY / "systemd" / "portal-purge.timer").read_text()
    assert "ExecStart=/srv/portal/.venv/bin/gunicorn -c /srv/portal/deploy/gunicorn.conf.py wsgi:app" in web
    assert "Environment=PROMETHEUS_MULTIPROC_DIR=/run/portal-web" in web and "RuntimeDirectory=portal-web" in web
    assert "ExecStart=/srv/portal/.venv/bin/portal worker --loop" in worker and "KillSignal=SIGTERM" in worker
    assert "ExecStart=/srv/portal/.venv/bin/portal purge" in purge and "Type=oneshot" in purge
    assert "OnCalendar=*-*-* 03:15:00" in timer and "Persistent=true" in timer
    for unit in (web, worker, purge):
        assert "EnvironmentFile=/etc/portal/portal.env" in unit and "User=portal" in unit
    # nothing in the deployment runs a migration but the operator's `portal db upgrade`
    assert "db upgrade" not in web + worker + purge


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    venv = Path(sys.executable).parent.parent
    for unit in (DEPLOY / "systemd").iterdir():  # the paths of this checkout, so the commands exist
        text = unit.read_text().replace("/srv/portal/.venv", str(venv)).replace("/srv/portal", str(ROOT))
        (tmp_path / unit.name).write_text(text)
    names = [str(tmp_path / n) for n in ("portal-web.service", "portal-worker@.service", "portal-purge.service",
                                         "portal-purge.timer")]
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *names], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (0, "")


def nginx_binary() -> str | None:
    return os.environ.get("NGINX") or shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def test_the_nginx_example_never_logs_a_token_a_query_or_a_client_address():
    conf = (DEPLOY / "nginx" / "portal.conf").read_text()
    formats = re.findall(r"log_format portal (.*?);", conf, re.S)
    assert len(formats) == 1
    for variable in ("$request ", "$request_uri", "$uri", "$args", "$query_string", "$remote_addr",
                     "$http_referer"):
        assert variable not in formats[0] + " "
    assert "$portal_log_path" in formats[0]
    assert re.findall(r"access_log (\S+)(?: (\w+))?;", conf) == [
        ("/var/log/nginx/portal.access.log", "portal"), ("/var/log/nginx/portal.access.log", "portal"), ("off", "")]
    assert "client_max_body_size 16k;" in conf
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf


def nginx_conf(folder: Path, web_port: int, http_port: int, https_port: int) -> Path:
    cert_context, cert = certificate(folder)
    del cert_context
    key = str(folder / "key.pem")
    site = (DEPLOY / "nginx" / "portal.conf").read_text()
    site = (site.replace("listen 80;", f"listen 127.0.0.1:{http_port};").replace("listen [::]:80;", "")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
            .replace("listen [::]:443 ssl http2;", "")
            .replace("127.0.0.1:8000", f"127.0.0.1:{web_port}")
            .replace("/etc/letsencrypt/live/inloggningshjalp.example.se/fullchain.pem", cert)
            .replace("/etc/letsencrypt/live/inloggningshjalp.example.se/privkey.pem", key)
            .replace("/var/log/nginx/", f"{folder}/").replace("/srv/portal/", f"{ROOT}/"))
    (folder / "portal.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    wrapper = folder / "nginx.conf"
    wrapper.write_text(f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
                       f"error_log {folder}/error.log warn;\nevents {{ worker_connections 64; }}\n"
                       "http {\n" + "".join(f"    {kind}_temp_path {folder}/{kind}_temp;\n"
                                              for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
                       + f"    include {folder}/portal.conf;\n}}\n")
    return wrapper


def fetch(url: str, *, data: bytes | None = None) -> tuple[int, bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


@pytest.mark.slow
@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (CI installs it)")
def test_nginx_in_front_of_gunicorn_keeps_tokens_out_of_its_log_and_caps_bodies(app, tmp_path):
    nginx = nginx_binary()
    assert nginx is not None
    web_port, http_port, https_port = free_port(), free_port(), free_port()
    conf = nginx_conf(tmp_path, web_port, http_port, https_port)
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True,
                             timeout=30)
    assert checked.returncode == 0, checked.stderr

    env = {**os.environ, "PORTAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "PORTAL_INSTANCE_PATH": app.instance_path, "PORTAL_SECRET_KEY": app.config["SECRET_KEY"],
           "PORTAL_TRUSTED_PROXIES": "1", "PORTAL_LOG_FORMAT": "json", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "m")}
    web_log = (tmp_path / "web.log").open("w")
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--workers", "1",
                            "--bind", f"127.0.0.1:{web_port}"], env=env, cwd=ROOT, stdout=web_log, stderr=web_log)
    proxy = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    base = f"https://127.0.0.1:{https_port}"
    try:
        for _ in range(150):
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert fetch(f"{base}/healthz") == (200, b"ok")
        assert fetch(f"{base}/aterstall/{RESET_TOKEN}")[0] == 303
        assert fetch(f"{base}/inkorg/logga-in/{SIGN_IN_TOKEN}?x=anna.andersson@exempel.se")[0] == 303
        assert fetch(f"http://127.0.0.1:{http_port}/aterstall/{RESET_TOKEN}")[0] == 301  # to https, unlogged token
        status, _body = fetch(f"{base}/inkorg/logga-in", data=b"email=" + b"a" * 100_000)
        assert status == 413  # refused by nginx before the portal reads it
    finally:
        proxy.send_signal(signal.SIGQUIT)
        web.send_signal(signal.SIGTERM)
        proxy.wait(30)
        web.wait(60)
        web_log.close()
    access = (tmp_path / "portal.access.log").read_text()
    assert '"GET /aterstall/- HTTP/1.1" 303' in access and '"GET /inkorg/logga-in/- HTTP/1.1" 303' in access
    assert '"POST /inkorg/logga-in HTTP/1.1" 413' in access
    for secret in (RESET_TOKEN, SIGN_IN_TOKEN, "anna", "127.0.0.1"):
        assert secret not in access
    lines = [json.loads(line) for line in (tmp_path / "web.log").read_text().splitlines() if line.startswith("{")]
    portal_ids = {line["request_id"] for line in lines if line.get("endpoint") == "reset.open_link"}
    nginx_ids = {line.split()[1] for line in access.splitlines() if "/aterstall/-" in line and '" 303' in line}
    assert portal_ids and portal_ids <= nginx_ids  # one id follows a request through both logs


@pytest.mark.parametrize("bind", ["8000", "127.0.0.1:", "127.0.0.1:http", "unix:", "127.0.0.1:70000"])
def test_a_bind_address_gunicorn_cannot_use_is_refused_in_swedish_naming_the_variable(bind):
    from portal.config import ConfigError
    from portal.operations import read

    with pytest.raises(ConfigError, match="PORTAL_BIND ska vara värd:port"):
        read({"PORTAL_BIND": bind})
    assert read({"PORTAL_BIND": "unix:/run/portal/web.sock"}).bind == "unix:/run/portal/web.sock"


def test_the_example_settings_file_reads_the_same_in_a_shell_as_in_systemd():
    example = DEPLOY / "portal.env.example"
    shell = subprocess.run(["sh", "-c", f'set -a; . "{example}"; env'], capture_output=True, text=True, timeout=30,
                           env={"PATH": os.environ.get("PATH", "")})
    assert shell.returncode == 0, shell.stderr
    values = dict(line.split("=", 1) for line in shell.stdout.splitlines() if line.startswith("PORTAL_"))
    assert values["PORTAL_MAIL_FROM"] == "Inloggningshjälpen <noreply@example.se>"
    assert values["PORTAL_TRUSTED_PROXIES"] == "1" and values["PORTAL_LOG_FORMAT"] == "json"
    readme = (ROOT / "README.md").read_text()
    assert not [name for name in values if f"`{name}`" not in readme]  # every one documented
