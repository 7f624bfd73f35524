"""The production stack, on this machine: a PostgreSQL database, two app servers (``apc serve``),
and Debian's nginx running the repository's deploy/nginx.conf in front (TLS with a throwaway
certificate, the websocket upgrade, sticky sessions, the feed route, security headers), driven
in Chromium through nginx only.

The config is used as written, with only the host-specific lines changed (ports, certificate,
log path), each of which must be found exactly once. ``make deploy-test`` runs this module
alone. The tests that keep a sign-in across a reload or a server's stop need sign-in sessions
kept in a cookie (issue 19); until that is merged they are expected to fail.
"""

import datetime
import ipaddress
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

import pytest
from conftest import IN_CI, PROJECT_ROOT, free_port, new_postgresql_database, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "apc-desk.agency.example"
BANNER = "OFFICIAL USE ONLY // SET THROUGH ONE SERVER, READ THROUGH THE OTHER"


# --- the stack ------------------------------------------------------------------------------


def throwaway_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the host name and 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    crt, pem = folder / "apc-desk.crt", folder / "apc-desk.key"
    crt.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return crt, pem


def site_config(folder: Path, *, http: int, https: int, apps: list[int]) -> Path:
    """deploy/nginx.conf with this machine's ports, certificate and log path."""
    crt, key = throwaway_certificate(folder)
    config = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in apps
    )
    changes = [
        (
            r"    server 127\.0\.0\.1:\d+ max_fails=3 fail_timeout=10s;\n(?:    server .*\n)*",
            servers,
        ),
        (r"listen 80;", f"listen 127.0.0.1:{http};"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        (r"ssl_certificate     \S+;", f"ssl_certificate     {crt};"),
        (r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};"),
        (r"/var/log/nginx/apc-desk\.access\.log", str(folder / "access.log")),
    ]
    for pattern, replacement in changes:
        config, found = re.subn(pattern, replacement.replace("\\", "\\\\"), config)
        assert found >= 1, f"deploy/nginx.conf no longer has {pattern!r}"
    site = folder / "apc-desk.conf"
    site.write_text(config)
    # What /etc/nginx/nginx.conf gives the file on a host: the http block around it.
    main = folder / "nginx.conf"
    temp = folder / "temp"
    temp.mkdir()
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        + "events {}\nhttp {\n"
        + "".join(
            f"  {kind}_temp_path {temp / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {site};\n}}\n"
    )
    return main


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, cookie: str = "") -> tuple[int, Message, bytes]:
    """GET through nginx, trusting the throwaway certificate, following no redirect."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect())
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=20) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except OSError:  # not answering yet, or too slowly
        return 0, Message(), b""


class Stack:
    def __init__(self, folder: Path, database_url: str):
        self.folder = folder
        self.database_url = database_url
        self.http, self.https = free_port(), free_port()
        self.ports = [free_port(), free_port()]
        self.base = f"https://127.0.0.1:{self.https}"
        self.apps: dict[int, subprocess.Popen] = {}
        self.nginx: subprocess.Popen | None = None
        self.environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "STREAMLIT_SERVER_COOKIE_SECRET": uuid.uuid4().hex * 2,
            "APC_BASE_URL": self.base,
            "APC_LOG_LEVEL": "info",
        }

    def app_log(self, port: int) -> Path:
        return self.folder / f"app-{port}.log"

    def start(self) -> None:
        for port in self.ports:
            self.apps[port] = subprocess.Popen(
                [sys.executable, "-m", "committee", "serve", "--port", str(port)],
                cwd=PROJECT_ROOT,
                env=self.environment,
                stdout=subprocess.DEVNULL,
                stderr=self.app_log(port).open("w"),
            )
        main = site_config(self.folder, http=self.http, https=self.https, apps=self.ports)
        tested = subprocess.run(
            [NGINX, "-t", "-c", str(main), "-e", str(self.folder / "e.log")],
            capture_output=True,
            text=True,
        )
        assert tested.returncode == 0, tested.stderr
        self.nginx = subprocess.Popen(
            [NGINX, "-c", str(main), "-e", str(self.folder / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in self.ports:
            wait_until(
                lambda port=port: fetch_plain(f"http://127.0.0.1:{port}/readyz") == 200,
                180,
                f"the app server on {port} to be ready",
            )
        wait_until(lambda: fetch(f"{self.base}/readyz")[0] == 200, 30, "nginx to answer")

    def stop_app(self, port: int) -> None:
        process = self.apps.pop(port)
        process.terminate()
        process.wait(timeout=30)

    def stop(self) -> None:
        for port in list(self.apps):
            self.stop_app(port)
        if self.nginx:
            self.nginx.terminate()
            self.nginx.wait(timeout=30)

    def access_log(self) -> list[str]:
        path = self.folder / "access.log"
        return path.read_text().splitlines() if path.exists() else []

    def route_to(self, port: int) -> str:
        """A value of the sticky cookie that nginx sends to the app server on ``port``,
        found by asking: each answer's access log line names the server that gave it."""
        for attempt in range(200):
            key = f"probe-{attempt}"
            status, _, _ = fetch(f"{self.base}/_stcore/host-config", cookie=f"apc_route={key}")
            assert status == 200
            if self.access_log()[-1].endswith(f"upstream=127.0.0.1:{port}"):
                return key
        pytest.fail(f"no route found to the app server on {port}")


def fetch_plain(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:  # not answering yet, or too slowly
        return 0


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not Path(NGINX).exists():
        if IN_CI:
            pytest.fail(f"nginx is required in CI and is missing at {NGINX}")
        pytest.skip(reason=f"nginx not installed at {NGINX} (apt-get install nginx)")
    with new_postgresql_database("apc_stack") as url:
        stack = Stack(tmp_path_factory.mktemp("stack"), url)
        try:
            loaded = subprocess.run(
                [sys.executable, "-m", "committee", "demo"],
                cwd=PROJECT_ROOT,
                env=stack.environment,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert loaded.returncode == 0, loaded.stderr
            stack.start()
            yield stack
        finally:
            stack.stop()


@contextmanager
def person_on(browser, stack: Stack, port: int):
    """A browser of its own whose every request nginx sends to the app server on ``port``."""
    context = browser.new_context(
        ignore_https_errors=True, accept_downloads=True, viewport={"width": 1400, "height": 1000}
    )
    context.add_cookies([{"name": "apc_route", "value": stack.route_to(port), "url": stack.base}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def sign_in(page, base: str, email: str) -> None:
    page.goto(base)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill("apc-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Good day").wait_for()


def open_from_menu(page, title: str) -> None:
    more = page.get_by_text(re.compile(r"^View \d+ more$"))
    if more.count():
        more.click()
    page.get_by_role("link", name=title, exact=True).click()


def served_by(lines: list[str]) -> set[str]:
    """The app servers that answered the requests of these access log lines (a websocket's
    line is written only when it closes; the page's other requests show where it went). When
    nginx tried a stopped server first, it lists both: the last one answered."""
    return {
        line.rsplit("upstream=", 1)[1].split(", ")[-1] for line in lines if not line.endswith("=-")
    }


# --- the tests ------------------------------------------------------------------------------


def test_nginx_answers_over_tls_with_the_security_headers(stack):
    status, headers, _ = fetch(f"http://127.0.0.1:{stack.http}/meetings")
    assert status == 301 and headers["Location"].startswith("https://")

    status, headers, body = fetch(f"{stack.base}/")
    assert status == 200 and b"<html" in body.lower()
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    for name, value in [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ]:
        assert headers.get_all(name) == [value], name  # nginx's, the app's not passed on twice
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]  # the app's own
    assert "uvicorn" not in str(headers.get_all("Server"))
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("apc_route=") and "Secure" in cookie and "HttpOnly" in cookie
    # A browser that has its cookie is not given another.
    route = cookie.split(";")[0]
    assert "Set-Cookie" not in fetch(f"{stack.base}/", cookie=route)[1]

    status, _, body = fetch(f"{stack.base}/readyz")
    assert (status, json.loads(body)["status"]) == (200, "ok")


def test_a_change_through_one_server_is_seen_through_the_other(stack, browser):
    first, second = stack.ports
    with person_on(browser, stack, first) as chair, person_on(browser, stack, second) as observer:
        logged = len(stack.access_log())
        sign_in(chair, stack.base, "chair@apc.example")
        open_from_menu(chair, "Settings")
        chair.get_by_label("Banner (the handling marking at the top of every page)").fill(BANNER)
        chair.get_by_role("button", name="Save settings").click()
        chair.get_by_text("1 setting(s) saved.").wait_for()
        assert served_by(stack.access_log()[logged:]) == {f"127.0.0.1:{first}"}

        logged = len(stack.access_log())
        sign_in(observer, stack.base, "observer@apc.example")
        observer.get_by_text(BANNER).first.wait_for()
        assert served_by(stack.access_log()[logged:]) == {f"127.0.0.1:{second}"}


def test_a_paper_downloads_through_nginx(stack, browser):
    with person_on(browser, stack, stack.ports[0]) as chair:
        sign_in(chair, stack.base, "chair@apc.example")
        open_from_menu(chair, "Meetings")
        chair.get_by_role("link", name="Open").first.click()
        chair.get_by_role("button", name="Read-ahead", exact=True).click()
        with chair.expect_download(timeout=90_000) as download:
            chair.get_by_role("button", name="Read-ahead (PDF)").click()
        paper = Path(download.value.path()).read_bytes()
    assert paper.startswith(b"%PDF") and len(paper) > 10_000
    media = [line for line in stack.access_log() if '"GET /media/' in line]
    # Answered by the server that made it (another would have no such file): on a loaded
    # machine nginx may have moved the session to the second server, which is as good.
    assert media and all('" 200 ' in line for line in media)


def test_a_calendar_subscribes_to_its_feed_through_nginx(stack, browser):
    with person_on(browser, stack, stack.ports[1]) as rep:
        sign_in(rep, stack.base, "rep.state@apc.example")
        open_from_menu(rep, "My account")
        rep.get_by_role("button", name="Create a feed address").click()
        address = rep.locator("code").filter(has_text="/feeds/").inner_text().strip()
    assert address.startswith(f"{stack.base}/feeds/") and address.endswith(".ics")

    # A calendar program has no cookie: whichever server nginx picks answers the same.
    status, headers, body = fetch(address)
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    assert body.startswith(b"BEGIN:VCALENDAR") and b"BEGIN:VEVENT" in body
    assert headers["Cache-Control"] == "private, no-store"
    assert fetch(address.replace("/feeds/", "/feeds/x"))[0] == 404

    # The token is a secret: neither nginx's log nor the app servers' have it.
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert any('"GET /feeds/<token>.ics" 200' in line for line in stack.access_log())
    logs = [stack.app_log(port).read_text() for port in stack.ports]
    assert token not in "\n".join(stack.access_log()) and not any(token in log for log in logs)
    assert any('"event": "feed"' in log for log in logs)


def test_the_app_servers_log_json_lines_with_the_person_and_the_page(stack):
    lines = [
        json.loads(line)
        for port in stack.ports
        for line in stack.app_log(port).read_text().splitlines()
        if line.strip()
    ]
    assert lines and all({"time", "level", "event", "process"} <= line.keys() for line in lines)
    sign_ins = [line for line in lines if line.get("action") == "signin.ok"]
    assert sign_ins and all(isinstance(line["person"], int) for line in sign_ins)
    assert any(line.get("path") == "/settings" for line in lines)
    everything = "\n".join(stack.app_log(port).read_text() for port in stack.ports)
    assert "apc-demo-2026" not in everything and "chair@apc.example" not in everything


def test_a_sign_in_survives_a_reload(stack, browser):
    with person_on(browser, stack, stack.ports[0]) as chair:
        sign_in(chair, stack.base, "chair@apc.example")
        chair.reload()
        chair.get_by_text("Good day").wait_for(timeout=20_000)


def test_a_person_goes_on_through_the_other_server_when_theirs_stops(stack, browser):
    """Last in this module: it stops one of the two servers."""
    first, second = stack.ports
    with person_on(browser, stack, first) as chair:
        sign_in(chair, stack.base, "chair@apc.example")
        stack.stop_app(first)
        logged = len(stack.access_log())
        chair.reload()
        chair.get_by_text("Good day").wait_for(timeout=20_000)
        assert served_by(stack.access_log()[logged:]) == {f"127.0.0.1:{second}"}
