#!/usr/bin/env python3
"""http_bench: the JSON API under load, beside nginx serving the same bytes (STYLE.md 13).

Builds the demo city, starts `steward serve` (access log off), signs a grid worker in with an API
token, and runs wrk against
  1. a scoped page of 50 residents (GET /api/v1/residents?page_size=50, the grid worker's scope),
  2. the GeoJSON layer of every micro-grid (GET /api/v1/org/boundaries?kind=micro_grid, admin),
at 64 and 256 connections; then nginx serves each response's exact bytes as a static file and
wrk measures it the same way, in the same run. Prints requests/s, p99 latency and the ratio
steward ÷ nginx (goal >= 0.5), and says whether each steward response came from a cache.

Usage: bench/http_bench.py --steward build/release/src/app/steward [--seconds 10]
Needs wrk and nginx (scripts/install-deps.sh --bench).
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method="GET", body=None, headers=None):
    request = urllib.request.Request(url, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(response.headers), response.read()


def wrk(url, connections, seconds, headers):
    command = ["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", "%s: %s" % (name, value)]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return rate, float(p99.group(1)) * scale, int(non2xx.group(1)) if non2xx else 0, \
        errors.group(1) if errors else ""


def start_nginx(root, files, port):
    conf = os.path.join(root, "nginx.conf")
    locations = "".join(
        '    location = %s { default_type application/json; alias %s; }\n' % (path, file)
        for path, file in files.items())
    with open(conf, "w") as f:
        f.write("""daemon off;
worker_processes 2;
pid %(root)s/nginx.pid;
error_log %(root)s/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path %(root)s/body;
  proxy_temp_path %(root)s/proxy;
  fastcgi_temp_path %(root)s/fastcgi;
  uwsgi_temp_path %(root)s/uwsgi;
  scgi_temp_path %(root)s/scgi;
  server {
    listen 127.0.0.1:%(port)d;
%(locations)s  }
}
""" % {"root": root, "port": port, "locations": locations})
    process = subprocess.Popen(["nginx", "-p", root, "-c", conf], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("http_bench: nginx did not start (see %s/nginx-error.log)" % root)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steward", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--residents", type=int, default=70000)
    parser.add_argument("--workdir")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            raise SystemExit("http_bench: %s is missing: run scripts/install-deps.sh --bench" % tool)
    steward = os.path.abspath(args.steward)
    work = args.workdir or tempfile.mkdtemp(prefix="steward-http-bench-")
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "steward.toml"), "w") as f:
        f.write('[log]\naccess_log = false\nlevel = "warn"\n')
    log("http_bench: building the demo city (%d residents) in %s" % (args.residents, work))
    subprocess.run([steward, "demo", "--residents", str(args.residents)], cwd=work, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([steward, "serve", "--listen", "127.0.0.1:%d" % port], cwd=work,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()
    nginx = None
    try:
        with open(os.path.join(work, "data", "initial-admin.txt"), encoding="utf-8") as f:
            initial = [line.split(":", 1)[1].strip() for line in f if line.startswith("密码")][0]
        # The admin: change the first password, then use a bearer token.
        headers, body = call(url + "/api/v1/auth/login", "POST", {"login": "admin", "password": initial})
        cookie = headers["Set-Cookie"].split(";")[0]
        csrf = json.loads(body)["csrf_token"]
        session = {"Cookie": cookie, "X-CSRF-Token": csrf}
        call(url + "/api/v1/auth/password", "POST",
             {"old_password": initial, "new_password": "BenchAdmin2026"}, session)
        _, body = call(url + "/api/v1/auth/tokens", "POST", {"name": "bench"}, session)
        admin = {"Authorization": "Bearer " + json.loads(body)["token"]}
        # The grid worker: the grid with the most residents.
        _, body = call(url + "/api/v1/org/units/search?q=" + urllib.parse.quote("城东社区"), headers=admin)
        community = [u for u in json.loads(body)["items"] if u["kind"] == "community"][0]
        _, body = call(url + "/api/v1/org/units?parent=" + community["id"], headers=admin)
        best, best_total = None, -1
        for grid in json.loads(body)["items"]:
            _, page = call(url + "/api/v1/residents?page_size=1&unit=" + grid["id"], headers=admin)
            total = json.loads(page)["total"]
            if total > best_total:
                best, best_total = grid, total
        call(url + "/api/v1/system/users", "POST",
             {"login": "bench_worker", "password": "BenchWorker2026x", "roles": ["grid_worker"],
              "units": {best["id"]: "capture"}}, admin)
        headers, body = call(url + "/api/v1/auth/login", "POST",
                             {"login": "bench_worker", "password": "BenchWorker2026x"})
        worker_session = {"Cookie": headers["Set-Cookie"].split(";")[0],
                          "X-CSRF-Token": json.loads(body)["csrf_token"]}
        call(url + "/api/v1/auth/password", "POST",
             {"old_password": "BenchWorker2026x", "new_password": "BenchWorker2026"}, worker_session)
        _, body = call(url + "/api/v1/auth/tokens", "POST", {"name": "bench"}, worker_session)
        worker = {"Authorization": "Bearer " + json.loads(body)["token"]}

        cases = [
            ("residents page (50, grid worker)", "/api/v1/residents?page_size=50", worker),
            ("GeoJSON of every micro-grid", "/api/v1/org/boundaries?kind=micro_grid", admin),
        ]
        files = {}
        cache = {}
        for name, path, who in cases:
            call(url + path, headers=who)  # warm
            headers, body = call(url + path, headers=who)
            cache[path] = headers.get("X-Cache", "none (computed per request)")
            file = os.path.join(work, "static-%d.json" % len(files))
            with open(file, "wb") as f:
                f.write(body)
            files[path.split("?")[0]] = file
            if "page_size" in path:
                page = json.loads(body)
                log("http_bench: the page holds %d of %d residents in the grid worker's scope, %d bytes"
                    % (len(page["items"]), page["total"], len(body)))
            else:
                log("http_bench: %d micro-grid boundaries, %d bytes" % (len(json.loads(body)["features"]),
                                                                     len(body)))
        nginx_port = free_port()
        nginx = start_nginx(work, files, nginx_port)
        nginx_url = "http://127.0.0.1:%d" % nginx_port
        # The baseline must serve exactly the bytes steward serves, or the ratio means nothing.
        for path, file in files.items():
            _, served = call(nginx_url + path)
            with open(file, "rb") as f:
                if served != f.read():
                    raise SystemExit("http_bench: nginx does not serve %s's bytes for %s" % (file, path))

        rows = []
        for name, path, who in cases:
            for connections in (64, 256):
                log("http_bench: %s, %d connections: steward" % (name, connections))
                ours = wrk(url + path, connections, args.seconds, who)
                log("http_bench: %s, %d connections: nginx" % (name, connections))
                theirs = wrk(nginx_url + path.split("?")[0], connections, args.seconds, {})
                rows.append((name, connections, ours, theirs, cache[path]))
        print("\nhttp_bench: wrk -t2 -d%ds, steward and nginx on one 2-core machine with wrk itself"
              % args.seconds)
        print("%-34s %5s %12s %9s %12s %9s %8s %5s  %s" % (
            "what", "conns", "steward r/s", "p99 ms", "nginx r/s", "p99 ms", "ratio", "goal",
            "steward cache"))
        for name, connections, ours, theirs, cached in rows:
            ratio = ours[0] / theirs[0] if theirs[0] else 0
            print("%-34s %5d %12.0f %9.1f %12.0f %9.1f %7.2f× %5s  %s%s" % (
                name, connections, ours[0], ours[1], theirs[0], theirs[1], ratio,
                "met" if ratio >= 0.5 else "MISS", cached,
                ("; steward non-2xx %d" % ours[2]) if ours[2] else ""))
        print("every residents request also queues one audit entry (written in batches)")
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        server.terminate()
        server.wait(timeout=30)
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
