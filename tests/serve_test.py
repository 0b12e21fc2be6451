"""`vigil serve` end to end: every endpoint and error, the token, the body
limit, reloads (refused ones, and one during load), and a clean stop on
SIGTERM. Starts the server on a free loopback port.

usage: serve_test.py VIGIL_BINARY SOURCE_DIR   (run by ctest)
"""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

VIGIL, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TOKEN = "s3cret-token"
CANDIDATE = {"id": "V900", "kind": "vendor",
             "attributes": {"name": "Contoso Cloud", "tier": "critical", "status": "active", "data_access": "restricted"}}


class Server:
    """A `vigil serve` process on a free port, over a copy of the samples."""

    def __init__(self, work, *extra):
        self.log_path = os.path.join(work, "serve.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([VIGIL, "serve", "--db", os.path.join(work, "s.db"), "--rules",
                                         os.path.join(work, "rules"), "--port", "0", *extra],
                                        stderr=self.log, cwd=work)
        for _ in range(300):
            with open(self.log_path) as log:
                found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
            if found:
                self.port = int(found.group(1))
                return
            if self.process.poll() is not None:
                raise RuntimeError("vigil serve exited: " + open(self.log_path).read())
            time.sleep(0.05)
        raise RuntimeError("vigil serve did not start")

    def request(self, method, path, body=None, token=TOKEN, raw=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": "Bearer " + token} if token else {}
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
        return response.status, text, response

    def json(self, method, path, body=None, token=TOKEN):
        status, text, _ = self.request(method, path, body, token)
        return status, json.loads(text)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code, open(self.log_path).read()


class ServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp()
        shutil.copytree(os.path.join(SOURCE, "rules"), os.path.join(cls.work, "rules"))
        subprocess.run([VIGIL, "import", os.path.join(SOURCE, "samples", "portfolio"), "--db",
                        os.path.join(cls.work, "s.db"), "-q"], check=True)
        with open(os.path.join(cls.work, "token"), "w") as f:
            f.write("  " + TOKEN + "  \nsecond line ignored\n")
        cls.server = Server(cls.work, "--token-file", os.path.join(cls.work, "token"), "--max-body", "100000")

    @classmethod
    def tearDownClass(cls):
        if cls.server.process.poll() is None:
            cls.server.stop()
        shutil.rmtree(cls.work)

    def test_health_needs_no_token(self):
        self.assertEqual(self.server.json("GET", "/health", token=None), (200, {"status": "ok", "rules": 27, "entities": 58}))

    def test_token(self):
        status, body, response = self.server.request("GET", "/v1/rules", token=None)
        self.assertEqual(status, 401)
        self.assertEqual(response.getheader("WWW-Authenticate"), "Bearer")
        self.assertEqual(json.loads(body)["error"], "missing or wrong token: send Authorization: Bearer TOKEN")
        self.assertEqual(self.server.request("GET", "/v1/rules", token="wrong")[0], 401)
        self.assertEqual(self.server.request("POST", "/v1/evaluate", {}, token=None)[0], 401)

    def test_rules(self):
        status, body = self.server.json("GET", "/v1/rules")
        self.assertEqual(status, 200)
        self.assertEqual(len(body["rules"]), 27)
        first = body["rules"][0]
        self.assertEqual((first["id"], first["severity"], first["tags"]), ("ASR-001", "high", ["assurance"]))
        self.assertEqual(first["title"], "Vendor with sensitive data access and no current SOC 2 report")
        self.assertTrue(first["file"].endswith("rules/assurance.vigil"))
        risk = [r for r in body["rules"] if r["id"] == "RISK-001"][0]
        self.assertEqual(risk["severity"], "computed")

    def test_evaluate_overlay(self):
        status, body = self.server.json("POST", "/v1/evaluate", {
            "as_of": "2026-11-01", "entities": [CANDIDATE],
            "edges": [{"from": "S01", "to": "V900", "kind": "depends_on"}]})
        self.assertEqual(status, 200)
        got = [(f["rule"], f.get("entity")) for f in body["findings"]]
        self.assertEqual(got, [("ASR-001", "V900"), ("DD-001", "V900"), ("EXIT-001", "V900"), ("IRP-001", "V900"),
                               ("IRP-002", "V900"), ("IRP-004", None), ("RISK-001", "V900"), ("SC-001", "S01")])
        self.assertEqual(body["findings"][2]["message"], "Contoso Cloud is critical but has no exit plan")
        # Only some rules; the loaded portfolio did not change.
        status, body = self.server.json("POST", "/v1/evaluate", {"as_of": "2026-11-01", "entities": [CANDIDATE],
                                                                 "rules": ["EXIT-001"]})
        self.assertEqual([f["rule"] for f in body["findings"]], ["EXIT-001"])
        self.assertEqual(self.server.json("GET", "/health", token=None)[1]["entities"], 58)
        self.assertEqual(self.server.json("POST", "/v1/evaluate", {"as_of": "2026-11-01"}), (200, {"findings": []}))

    def test_evaluate_errors(self):
        def error(body=None, raw=None):
            status, text, _ = self.server.request("POST", "/v1/evaluate", body, raw=raw)
            return status, json.loads(text)["error"]
        status, message = error(raw="{bad")
        self.assertEqual(status, 400)
        self.assertTrue(message.startswith("bad JSON: "), message)
        self.assertEqual(error(raw="[1]"), (400, "the body must be a JSON object"))
        self.assertEqual(error({"entitie": []}), (400, 'unknown member "entitie" (did you mean `entities`?)'))
        self.assertEqual(error({"rules": ["EXIT-01"]}), (400, "no rule 'EXIT-01' (did you mean `EXIT-001`?)"))
        self.assertEqual(error({"entities": {}}), (400, '"entities" must be an array'))
        self.assertEqual(error({"as_of": "2026-02-30"})[0], 400)
        self.assertEqual(error({"entities": [{"id": "V001", "kind": "service"}]}),
                         (400, "<overlay>:1: 'V001' is a vendor in the loaded portfolio: an overlay cannot make it a service"))

    def test_body_over_the_limit(self):
        status, text, _ = self.server.request("POST", "/v1/evaluate", raw="{" + " " * 200000 + "}")
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(text)["error"], "the body is over the limit of 100000 bytes (--max-body)")

    def test_unknown_paths_and_methods(self):
        self.assertEqual(self.server.request("GET", "/v2/nothing")[0], 404)
        self.assertEqual(self.server.json("GET", "/v1/evaluate"),
                         (405, {"error": "/v1/evaluate takes POST, not GET", "diagnostics": []}))

    def test_run(self):
        status, body = self.server.json("POST", "/v1/run", {"as_of": "2026-11-01"})
        self.assertEqual(status, 200)
        self.assertIsNone(body["run"])
        self.assertEqual(body["summary"]["findings"], 36)
        self.assertEqual(body["summary"]["accepted"], 2)
        self.assertEqual(body["summary"]["by_severity"], {"critical": 4, "high": 16, "medium": 14, "low": 2, "info": 0})
        self.assertEqual(len(body["findings"]), 38)
        self.assertEqual(self.server.json("POST", "/v1/run", {"store": "yes"})[0], 400)
        self.assertEqual(self.server.json("POST", "/v1/run", {"as_of": "2026-02-30"})[0], 400)

    def test_run_stored(self):
        status, body = self.server.json("POST", "/v1/run", {"as_of": "2026-11-01", "store": True})
        self.assertEqual(status, 200)
        self.assertIsInstance(body["run"], int)

    def test_reload_refused_then_accepted(self):
        rules = os.path.join(self.work, "rules", "zz_broken.vigil")
        with open(rules, "w") as f:
            f.write("rule BROKEN {\n  severity low\n  for vendor v\n  when v.tier ==\n  message \"m\"\n}\n")
        try:
            status, body = self.server.json("POST", "/v1/reload")
            self.assertEqual(status, 422)
            self.assertEqual(body["diagnostics"], [os.path.join(self.work, "rules", "zz_broken.vigil") +
                                                   ":5:3: error: expected an expression but found 'message'"])
            self.assertEqual(len(self.server.json("GET", "/v1/rules")[1]["rules"]), 27)  # the old rules answer
        finally:
            os.remove(rules)
        self.assertEqual(self.server.json("POST", "/v1/reload"), (200, {"rules": 27, "entities": 58}))

    def test_reload_under_load_loses_no_request(self):
        statuses, lock = [], threading.Lock()

        def client():
            for _ in range(10):
                status = self.server.request("POST", "/v1/evaluate", {"as_of": "2026-11-01", "entities": [CANDIDATE]})[0]
                with lock:
                    statuses.append(status)
        threads = [threading.Thread(target=client) for _ in range(8)]
        for thread in threads:
            thread.start()
        for _ in range(3):
            self.assertEqual(self.server.json("POST", "/v1/reload")[0], 200)
        for thread in threads:
            thread.join()
        self.assertEqual(statuses, [200] * 80)

    def test_metrics(self):
        self.server.request("GET", "/health", token=None)
        status, text, response = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(response.getheader("Content-Type"), "text/plain; version=0.0.4")
        self.assertRegex(text, r'vigil_http_requests_total\{path="/health",code="200"\} \d+')
        self.assertIn("# TYPE vigil_reloads_total counter\n", text)
        self.assertIn("vigil_rules 27\n", text)


class StopTest(unittest.TestCase):
    def test_sigterm_stops_cleanly_and_every_request_is_logged(self):
        work = tempfile.mkdtemp()
        try:
            shutil.copytree(os.path.join(SOURCE, "rules"), os.path.join(work, "rules"))
            subprocess.run([VIGIL, "import", os.path.join(SOURCE, "samples", "portfolio"), "--db",
                            os.path.join(work, "s.db"), "-q"], check=True)
            server = Server(work)
            self.assertEqual(server.request("GET", "/health", token=None)[0], 200)
            self.assertEqual(server.request("GET", "/v1/rules", token=None)[0], 200)  # no --token-file: open
            idle = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            idle.connect()  # a keep-alive client that sends nothing does not hold the stop
            code, log = server.stop()
            idle.close()
            self.assertEqual(code, 0)
            self.assertRegex(log, r"info: GET /health 200 [0-9.]+ ms\n")
            self.assertRegex(log, r"info: GET /v1/rules 200 [0-9.]+ ms\n")
            self.assertIn("info: stopped\n", log)
        finally:
            shutil.rmtree(work)

    def test_bad_arguments(self):
        result = subprocess.run([VIGIL, "serve", "--db", "x.db", "--rules", "r", "--port", "70000"],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--port: give a port number from 0 to 65535", result.stderr)
        result = subprocess.run([VIGIL, "serve", "--db", "/nonexistent.db", "--rules", SOURCE + "/rules"],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)
        self.assertIn("/nonexistent.db", result.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
