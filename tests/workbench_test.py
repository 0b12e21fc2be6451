"""The workbench served by `vigil serve` at /: first its calls over HTTP (login, session cookie,
cross-site refusal, check, fmt, try, save), then the real page in headless Chromium driven by
Selenium: sign in, open findings, filter, open evidence, type a rule with an error and see the
diagnostic at its line and column, fix it, try it, save it, and see the new rule in the next run.
Screenshots at desktop and phone widths go to SCREENSHOT_DIR for people to look at.

workbench_test.py VIGIL SOURCE_DIR SCREENSHOT_DIR (Debian's python3, python3-selenium, chromium-driver)."""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

VIGIL, SOURCE, SCREENSHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
TOKEN = "s3cret-token"
BAD_RULE = 'rule NEW-001 "Critical vendors" {\n  severity loud\n  for vendor v\n  when v.tier == "critical"\n  message "{v.name} is critical"\n}\n'
GOOD_RULE = BAD_RULE.replace("severity loud", "severity low")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Workbench(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp()
        cls.rules = os.path.join(cls.work, "rules")
        shutil.copytree(os.path.join(SOURCE, "rules"), cls.rules, ignore=shutil.ignore_patterns("tests", "dora"))
        cls.vigil("import", os.path.join(SOURCE, "samples", "portfolio"), "--db", "w.db")
        cls.vigil("run", "--db", "w.db", "--rules", "rules", "--as-of", "2026-11-01", "-q")
        cls.expected = json.loads(cls.vigil("run", "--db", "w.db", "--rules", "rules", "--as-of", "2026-11-01",
                                            "--no-store", "--format", "json"))
        with open(os.path.join(cls.work, "token"), "w") as f:
            f.write(TOKEN + "\n")
        cls.port = free_port()
        cls.server = subprocess.Popen([VIGIL, "serve", "--db", "w.db", "--rules", "rules", "--port", str(cls.port),
                                       "--token-file", "token"], cwd=cls.work, stderr=subprocess.PIPE, text=True)
        for _ in range(100):
            try:
                if cls.request("GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=20)
        shutil.rmtree(cls.work)

    @classmethod
    def vigil(cls, *args):
        done = subprocess.run([VIGIL, *args], cwd=cls.work, capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        return done.stdout

    @classmethod
    def request(cls, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=30)
        payload = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        connection.request(method, path, payload, headers or {})
        response = connection.getresponse()
        data = response.read().decode()
        connection.close()
        return response.status, data, response

    def api(self, method, path, body=None):
        status, data, _ = self.request(method, path, body, {"Authorization": "Bearer " + TOKEN})
        return status, json.loads(data)

    # ---- over HTTP ----------------------------------------------------------------------------

    def test_login_sets_a_session_cookie_and_cross_site_writes_are_refused(self):
        status, page, response = self.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn('<form method="post" action="/login">', page)
        self.assertIn("frame-ancestors 'none'", response.getheader("Content-Security-Policy"))
        self.assertEqual(self.request("GET", "/app.js")[0], 401)
        status, page, _ = self.request("POST", "/login", "token=wrong", {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 401)
        self.assertIn("That is not the token", page)
        status, _, response = self.request("POST", "/login", "token=" + TOKEN, {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 303)
        self.assertEqual(response.getheader("Location"), "/")
        cookie = response.getheader("Set-Cookie")
        self.assertEqual(cookie, "vigil_token=s3cret-token; HttpOnly; SameSite=Strict; Path=/")
        session = {"Cookie": cookie.split(";")[0]}
        status, page, _ = self.request("GET", "/", headers=session)
        self.assertIn('<script src="/app.js" defer></script>', page)
        self.assertEqual(self.request("GET", "/v1/findings", headers=session)[0], 200)
        status, data, _ = self.request("POST", "/v1/check", {"source": GOOD_RULE}, session)
        self.assertEqual((status, json.loads(data)["error"]), (403, "cross-site request refused: the workbench sends X-Vigil-Request"))
        self.assertEqual(self.request("POST", "/v1/check", {"source": GOOD_RULE}, {**session, "X-Vigil-Request": "1"})[0], 200)

    def test_findings_of_the_latest_run_with_their_history(self):
        status, data = self.api("GET", "/v1/findings")
        self.assertEqual(status, 200)
        self.assertEqual(data["run"]["as_of"], "2026-11-01")
        self.assertEqual([(f["rule"], f["entity"]) for f in data["findings"]], [(f["rule"], f["entity"]) for f in self.expected])
        self.assertEqual({(f["first_seen"], f["days_open"], f["runs"]) for f in data["findings"]}, {("2026-11-01", 0, 1)})

    def test_check_fmt_and_try_a_draft(self):
        status, data = self.api("POST", "/v1/check", {"source": BAD_RULE, "file": "new.vigil"})
        self.assertEqual((status, data["ok"]), (200, False))
        self.assertEqual([(d["line"], d["column"], d["level"]) for d in data["diagnostics"]], [(2, 12, "error")])
        self.assertEqual(data["diagnostics"][0]["message"],
                         "expected a severity (info, low, medium, high, critical) but found 'loud' (did you mean `low`?)")
        status, data = self.api("POST", "/v1/check", {"source": GOOD_RULE.replace("v.tier", "v.teir")})
        self.assertEqual((data["ok"], data["diagnostics"][0]["level"]), (True, "warning"))
        status, data = self.api("POST", "/v1/fmt", {"source": "rule A { severity low for vendor v when true message \"x\" }"})
        self.assertEqual(data["source"], 'rule A {\n  severity low\n  for vendor v\n  when true\n  message "x"\n}\n')
        status, data = self.api("POST", "/v1/fmt", {"source": BAD_RULE})
        self.assertEqual((status, data["locations"][0]["line"]), (422, 2))
        status, data = self.api("POST", "/v1/try", {"source": GOOD_RULE, "as_of": "2026-11-01"})
        self.assertEqual(status, 200)
        critical = sorted(f["id"] for f in self.vendors() if f.get("tier") == "critical")
        self.assertEqual([f["entity"] for f in data["findings"]], critical)
        status, data = self.api("POST", "/v1/try", {"source": GOOD_RULE, "entity": critical[0]})
        self.assertEqual([f["entity"] for f in data["findings"]], critical[:1])
        self.assertEqual(self.api("POST", "/v1/try", {"source": GOOD_RULE, "as_of": "2026-02-30"})[0], 400)
        self.assertEqual(self.api("POST", "/v1/try", {"source": BAD_RULE})[0], 422)
        self.assertEqual(self.api("POST", "/v1/try", {"source": GOOD_RULE, "colour": 1})[1]["error"], 'unknown member "colour"')
        status, data = self.api("POST", "/v1/explain", {"source": GOOD_RULE, "rule": "NEW-001", "entity": critical[0], "as_of": "2026-11-01"})
        self.assertEqual(status, 200)
        self.assertTrue(data["text"].startswith(f'NEW-001 "Critical vendors" for vendor {critical[0]} ('))
        self.assertIn(", as of 2026-11-01\n", data["text"])
        self.assertEqual(self.api("POST", "/v1/explain", {"source": GOOD_RULE, "rule": "NEW-002", "entity": critical[0]})[1]["error"],
                         "no rule 'NEW-002' in the given rules (did you mean `NEW-001`?)")
        self.assertEqual(self.api("POST", "/v1/explain", {"source": GOOD_RULE, "rule": "NEW-001", "entity": "NOPE"})[1]["error"],
                         "no entity has the id 'NOPE'")
        self.assertEqual(self.api("POST", "/v1/explain", {"source": GOOD_RULE, "rule": "NEW-001"})[0], 400)

    def test_saving_refuses_errors_and_paths_outside_the_rules(self):
        path = os.path.join("rules", "incident_response.vigil")
        with open(os.path.join(self.work, path)) as f:
            before = f.read()
        status, data = self.api("PUT", "/v1/rule-files", {"path": path, "source": before.replace("severity high", "severity loud", 1)})
        self.assertEqual(status, 422)
        with open(os.path.join(self.work, path)) as f:
            self.assertEqual(f.read(), before)
        status, data = self.api("PUT", "/v1/rule-files", {"path": "rules/../../etc/x.vigil", "source": GOOD_RULE})
        self.assertEqual(status, 400)
        status, data = self.api("PUT", "/v1/rule-files", {"path": "rules/dup.vigil", "source": before})
        self.assertEqual(status, 422)  # the same rule ids twice
        self.assertFalse(os.path.exists(os.path.join(self.work, "rules", "dup.vigil")))
        self.assertEqual(self.request("DELETE", "/v1/rule-files", headers={"Authorization": "Bearer " + TOKEN})[0], 405)

    def test_entity_runs_diff_and_report_calls(self):
        self.assertEqual(self.api("GET", "/v1/entity?id=NOPE"), (404, {"error": "no entity 'NOPE' in the portfolio", "diagnostics": []}))
        self.assertEqual(self.api("GET", "/v1/entity?id=V001&depth=9")[1]["error"], "?depth= must be 1 to 4, not '9'")
        # Bytes that are not UTF-8, echoed in an error, are replaced (U+FFFD), never a crash.
        self.assertEqual(self.api("GET", "/v1/entity?id=%FFx"), (404, {"error": "no entity '\ufffdx' in the portfolio", "diagnostics": []}))
        status, data = self.api("GET", "/v1/entity?id=V001&depth=1")
        self.assertEqual((status, data["entity"]["kind"], data["graph"]["depth"]), (200, "vendor", 1))
        self.assertEqual({n["level"] for n in data["graph"]["nodes"]} - {-1, 0, 1}, set())
        self.assertTrue(all(e["to"] == "V001" or e["from"] == "V001" for e in data["graph"]["edges"]))
        status, data = self.api("GET", "/v1/runs")
        self.assertEqual([r["as_of"] for r in data["runs"]][-1], "2026-11-01")
        self.assertEqual(self.api("GET", "/v1/diff?from=1&to=x")[1]["error"], "?to= must be a run number, not 'x'")
        self.assertEqual(self.api("GET", "/v1/diff?from=1&to=99")[0], 400)
        status, page, response = self.request("GET", "/v1/report?run=1", headers={"Authorization": "Bearer " + TOKEN})
        self.assertEqual(status, 200)
        self.assertIn("<title>Third-party risk report, run 1</title>", page)
        self.assertIn("default-src 'none'", response.getheader("Content-Security-Policy"))

    def test_waivers_accepted_here_are_audited_applied_and_kept_across_imports(self):
        finding = next(f for f in self.expected if f["status"] == "open" and f["entity"] and f["rule"] != "CONC-001")
        waiver = {"rule": finding["rule"], "entity": finding["entity"], "owner": "CRO", "reason": "accepted for a quarter",
                  "expires": "2027-03-31", "by": "Ada"}
        cases = [({**waiver, "by": " "}, '"by": say who accepts the risk (a name)'),
                 ({**waiver, "owner": ""}, "waiver: a waiver needs an 'owner'"),
                 ({**waiver, "expires": "2027-02-30"}, "waiver: expires '2027-02-30' is not a date (YYYY-MM-DD)"),
                 ({**waiver, "rule": finding["rule"] + "X"}, f"waiver: no rule '{finding['rule']}X' is loaded (did you mean `{finding['rule']}`?)"),
                 ({**waiver, "colour": "red"}, 'unknown member "colour"')]
        for body, error in cases:
            self.assertEqual(self.api("POST", "/v1/waivers", body), (400, {"error": error, "diagnostics": []}))
        status, data = self.api("POST", "/v1/waivers", waiver)
        self.assertEqual((status, data["action"], data["warnings"]), (200, "created", []))
        status, data = self.api("POST", "/v1/waivers", {**waiver, "reason": "accepted for two quarters", "by": "Grace"})
        self.assertEqual(data["action"], "changed")
        status, data = self.api("POST", "/v1/waivers", {**waiver, "entity": "NOPE"})
        self.assertEqual(data["warnings"], [f"waiver for rule {finding['rule']} names entity 'NOPE', which the portfolio does not have"])
        self.assertEqual(self.api("POST", "/v1/waivers/revoke", {"rule": finding["rule"], "entity": "NOPE", "by": "Ada"})[0], 200)
        audit = self.api("GET", "/v1/waivers/audit")[1]["audit"]
        self.assertEqual([(e["actor"], e["action"], e["entity"]) for e in audit[:4]],
                         [("Ada", "revoked", "NOPE"), ("Ada", "created", "NOPE"), ("Grace", "changed", finding["entity"]),
                          ("Ada", "created", finding["entity"])])
        listed = [w for w in self.api("GET", "/v1/waivers")[1]["waivers"] if w["origin"] == "workbench" and w["rule"] == finding["rule"]]
        self.assertEqual([(w["entity"], w["reason"], w["created_by"]) for w in listed], [(finding["entity"], "accepted for two quarters", "Grace")])
        status, data = self.api("POST", "/v1/run", {"as_of": "2026-11-01"})
        after = next(f for f in data["findings"] if (f["rule"], f["entity"]) == (finding["rule"], finding["entity"]))
        self.assertEqual((after["status"], after["waiver"]["owner"]), ("accepted", "CRO"))
        self.vigil("import", os.path.join(SOURCE, "samples", "portfolio"), "--db", "w.db")  # tonight's import
        status, data = self.api("POST", "/v1/run", {"as_of": "2026-11-01"})
        after = next(f for f in data["findings"] if (f["rule"], f["entity"]) == (finding["rule"], finding["entity"]))
        self.assertEqual(after["status"], "accepted")
        revoke = {"rule": finding["rule"], "entity": finding["entity"], "by": "Ada"}
        self.assertEqual(self.api("POST", "/v1/waivers/revoke", revoke)[0], 200)
        self.assertEqual(self.api("POST", "/v1/waivers/revoke", revoke)[0], 404)
        status, data = self.api("POST", "/v1/run", {"as_of": "2026-11-01"})
        after = next(f for f in data["findings"] if (f["rule"], f["entity"]) == (finding["rule"], finding["entity"]))
        self.assertEqual(after["status"], "open")

    def vendors(self):
        with open(os.path.join(SOURCE, "samples", "portfolio", "entities", "vendor.csv")) as f:
            header = f.readline().strip().split(",")
            names = [h.split(":")[0] for h in header]
            import csv
            return [dict(zip(names, row)) for row in csv.reader(f)]

    # ---- in the browser -----------------------------------------------------------------------

    def test_the_page_in_a_browser(self):
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
            options.add_argument(argument)
        options.binary_location = "/usr/bin/chromium"
        browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        wait = WebDriverWait(browser, 20)
        try:
            self.sign_in(browser, wait)
            self.findings_filter_and_evidence(browser, wait)
            self.author_try_and_save_a_rule(browser, wait)
        finally:
            browser.quit()

    def sign_in(self, browser, wait):
        browser.get(f"http://127.0.0.1:{self.port}/")
        browser.find_element(By.ID, "token").send_keys("wrong" + Keys.ENTER)
        wait.until(ready.text_to_be_present_in_element((By.CSS_SELECTOR, "p.error"), "That is not the token"))
        browser.find_element(By.ID, "token").send_keys(TOKEN + Keys.ENTER)
        wait.until(ready.text_to_be_present_in_element((By.ID, "run-summary"), "Run 1, as of 2026-11-01"))

    def every_control_is_labelled(self, browser):
        unlabelled = browser.execute_script("""
            return [...document.querySelectorAll('input, select, textarea, button')]
              .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
              .map((e) => e.id || e.outerHTML);""")
        self.assertEqual(unlabelled, [])

    def rows(self, browser):
        return browser.find_elements(By.CSS_SELECTOR, "#finding-table tbody tr")

    def findings_filter_and_evidence(self, browser, wait):
        total = len(self.expected)
        wait.until(ready.text_to_be_present_in_element((By.ID, "finding-count"), f"{total} of {total} findings shown"))
        self.every_control_is_labelled(browser)
        self.assertEqual(len(self.rows(browser)), total)
        os.makedirs(SCREENSHOTS, exist_ok=True)
        browser.save_screenshot(os.path.join(SCREENSHOTS, "findings-desktop.png"))

        Select(browser.find_element(By.ID, "filter-severity")).select_by_value("critical")
        critical = [f for f in self.expected if f["severity"] == "critical"]
        self.assertEqual(len(self.rows(browser)), len(critical))
        self.assertEqual({r.find_element(By.CSS_SELECTOR, "td").text.lower() for r in self.rows(browser)}, {"critical"})
        Select(browser.find_element(By.ID, "filter-severity")).select_by_value("")
        Select(browser.find_element(By.ID, "filter-status")).select_by_value("accepted")
        accepted = [f for f in self.expected if f["status"] == "accepted"]
        self.assertEqual(len(self.rows(browser)), len(accepted))
        Select(browser.find_element(By.ID, "filter-status")).select_by_value("")
        Select(browser.find_element(By.ID, "filter-rule")).select_by_value("CONC-001")
        concentration = [f for f in self.expected if f["rule"] == "CONC-001"]
        self.assertEqual(len(self.rows(browser)), len(concentration))

        # Keyboard: Tab reaches the finding's button, Enter opens its evidence.
        button = self.rows(browser)[0].find_element(By.CSS_SELECTOR, "button.open-finding")
        button.send_keys(Keys.ENTER)
        wait.until(ready.visibility_of_element_located((By.ID, "detail")))
        first = concentration[0]
        self.assertTrue(browser.find_element(By.ID, "detail-title").text.startswith(f"CONC-001 {first['entity']}: "))
        chains = browser.find_elements(By.CSS_SELECTOR, "#detail-paths .chain")
        self.assertEqual(len(chains), len(first["evidence"]["paths"]))
        self.assertEqual([n.text for n in chains[0].find_elements(By.CSS_SELECTOR, ".node")], first["evidence"]["paths"][0])
        self.assertIn("rule CONC-001", browser.find_element(By.ID, "detail-rule").text)
        self.assertIn("Runs since then\n1", browser.find_element(By.ID, "detail-facts-summary").text)
        browser.save_screenshot(os.path.join(SCREENSHOTS, "evidence-desktop.png"))
        self.accept_the_risk(browser, wait, first)
        self.entity_page(browser, wait, first["entity"])
        browser.set_window_size(390, 844)
        browser.save_screenshot(os.path.join(SCREENSHOTS, "evidence-phone.png"))
        browser.set_window_size(1280, 900)

        Select(browser.find_element(By.ID, "filter-rule")).select_by_value("")
        search = browser.find_element(By.ID, "filter-search")
        name = next(f for f in self.expected if f["entity"] == first["entity"])["evidence"]["facts"][first["entity"]]["name"]
        search.send_keys(name)
        self.assertTrue(all(first["entity"] in r.text for r in self.rows(browser)))
        search.clear()

    def accept_the_risk(self, browser, wait, finding):
        self.assertEqual(browser.find_element(By.ID, "accept-owner").get_attribute("value"), finding["owner"])
        browser.find_element(By.ID, "accept-submit").click()  # the browser asks for the required fields first
        self.assertEqual(browser.find_element(By.ID, "accept-status").text, "")
        browser.find_element(By.ID, "accept-reason").send_keys("Second region contracted; migration by Q2")
        browser.find_element(By.ID, "accept-expires").send_keys("06302027")
        browser.find_element(By.ID, "accept-ticket").send_keys("RISK-42")
        browser.find_element(By.ID, "accept-by").send_keys("Test Officer")
        browser.find_element(By.ID, "accept-submit").click()
        wait.until(ready.text_to_be_present_in_element((By.ID, "accept-status"), "Waiver created"))
        self.accepted = finding

    def entity_page(self, browser, wait, entity):
        browser.find_element(By.ID, "detail-entity-link").click()
        wait.until(ready.text_to_be_present_in_element((By.ID, "vendor-title"), f"vendor {entity} "))
        status, data = self.api("GET", f"/v1/entity?id={entity}&depth=2")
        wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#vendor-graph a.graph-node")) == len(data["graph"]["nodes"]))
        dependents = sorted(n["id"] for n in data["graph"]["nodes"] if n["level"] < 0)
        listed = sorted(li.text.split(" ")[0] for li in browser.find_elements(By.CSS_SELECTOR, "#vendor-dependents li"))
        self.assertEqual(listed, dependents)
        self.assertIn(f"tier\n{data['entity']['attributes']['tier']}", browser.find_element(By.ID, "vendor-attributes").text)
        self.assertTrue(any(f"CONC-001" in li.text for li in browser.find_elements(By.CSS_SELECTOR, "#vendor-findings li")))
        browser.save_screenshot(os.path.join(SCREENSHOTS, "vendor-desktop.png"))
        browser.set_window_size(390, 844)
        browser.save_screenshot(os.path.join(SCREENSHOTS, "vendor-phone.png"))
        browser.set_window_size(1280, 900)
        # A node of the graph is a link to that entity's page, reachable with the keyboard.
        browser.find_element(By.CSS_SELECTOR, f'#vendor-graph a.graph-node[href="#vendor/{dependents[0]}"]').send_keys(Keys.ENTER)
        wait.until(ready.text_to_be_present_in_element((By.ID, "vendor-title"), f" {dependents[0]} "))
        browser.find_element(By.ID, "nav-findings").click()

    def runs_page(self, browser, wait, critical):
        browser.find_element(By.ID, "nav-runs").click()
        wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#run-table tbody tr")) == 2)
        self.assertEqual(len(browser.find_elements(By.CSS_SELECTOR, "#trend rect")) > 0, True)
        browser.find_element(By.ID, "diff-compare").click()
        # The new rule ran in the later run only: its findings are not compared (never "new" or "resolved").
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#diff-result ul.diff-not_compared")))
        only_later = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#diff-result ul.diff-not_compared li")]
        self.assertEqual(sorted(t.split(" ")[2].rstrip(":") for t in only_later if " NEW-001 " in t), critical)
        accepted = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#diff-result ul.diff-accepted li")]
        self.assertEqual([t.split(" ")[1:3] for t in accepted], [["CONC-001", self.accepted["entity"] + ":"]])
        browser.save_screenshot(os.path.join(SCREENSHOTS, "runs-desktop.png"))
        report = browser.find_element(By.CSS_SELECTOR, "#run-table tbody tr a").get_attribute("href")
        self.assertTrue(report.endswith("/v1/report?run=2"))
        browser.get(report)
        self.assertEqual(browser.title, "Third-party risk report, run 2")
        browser.back()

    def waivers_page(self, browser, wait):
        browser.find_element(By.ID, "nav-waivers").click()
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#audit-table tbody tr")))
        rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#waiver-table tbody tr")]
        mine = [r for r in rows if r.startswith(f"CONC-001 {self.accepted['entity']} ")]
        self.assertEqual(len(mine), 1)
        self.assertIn("2027-06-30", mine[0])
        self.assertIn("accepted here by Test Officer", mine[0])
        audit = browser.find_elements(By.CSS_SELECTOR, "#audit-table tbody tr")[0].find_elements(By.CSS_SELECTOR, "td")
        self.assertEqual([c.text for c in audit[1:5]], ["Test Officer", "created", "CONC-001", self.accepted["entity"]])
        browser.save_screenshot(os.path.join(SCREENSHOTS, "waivers-desktop.png"))
        browser.set_window_size(390, 844)
        browser.save_screenshot(os.path.join(SCREENSHOTS, "waivers-phone.png"))
        browser.set_window_size(1280, 900)

    def author_try_and_save_a_rule(self, browser, wait):
        browser.find_element(By.ID, "nav-editor").click()
        wait.until(ready.visibility_of_element_located((By.ID, "editor-source")))
        browser.find_element(By.ID, "editor-new").send_keys("rules/onboarding.vigil")
        source = browser.find_element(By.ID, "editor-source")
        source.send_keys(Keys.CONTROL, "a")
        source.send_keys(Keys.DELETE)
        source.send_keys(BAD_RULE)
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, '#editor-diagnostics li.error[data-line="2"][data-column="12"]')))
        diagnostic = browser.find_element(By.CSS_SELECTOR, "#editor-diagnostics li.error")
        self.assertIn("2:12 error: expected a severity", diagnostic.text)
        self.assertEqual(browser.find_element(By.CSS_SELECTOR, "#editor-highlight .error-line").text, "  severity loud")
        browser.save_screenshot(os.path.join(SCREENSHOTS, "editor-error-desktop.png"))
        browser.set_window_size(390, 844)
        browser.save_screenshot(os.path.join(SCREENSHOTS, "editor-error-phone.png"))
        browser.set_window_size(1280, 900)

        browser.find_element(By.ID, "editor-save").click()  # refused: errors are never saved
        wait.until(ready.text_to_be_present_in_element((By.ID, "editor-status"), "rule errors"))
        self.assertFalse(os.path.exists(os.path.join(self.rules, "onboarding.vigil")))

        source.send_keys(Keys.CONTROL, "a")
        source.send_keys(Keys.DELETE)
        source.send_keys(GOOD_RULE)
        wait.until(ready.text_to_be_present_in_element((By.ID, "editor-status"), "No errors: 1 rules."))
        self.assertEqual(browser.find_elements(By.CSS_SELECTOR, "#editor-diagnostics li"), [])
        browser.find_element(By.ID, "editor-as-of").send_keys("11012026")
        browser.find_element(By.ID, "editor-try").click()
        critical = sorted(f["id"] for f in self.vendors() if f.get("tier") == "critical")
        wait.until(ready.text_to_be_present_in_element((By.ID, "editor-status"), f"The draft would give {len(critical)} findings."))
        tried = browser.find_elements(By.CSS_SELECTOR, "#try-table tbody tr")
        self.assertEqual([r.find_elements(By.CSS_SELECTOR, "td")[2].text for r in tried], critical)

        browser.find_element(By.ID, "editor-entity").send_keys(critical[0])
        browser.find_element(By.ID, "editor-explain").click()
        wait.until(ready.text_to_be_present_in_element((By.ID, "editor-status"), f"Explained NEW-001 for {critical[0]}."))
        explained = browser.find_element(By.ID, "explain-output").text
        self.assertTrue(explained.startswith(f'NEW-001 "Critical vendors" for vendor {critical[0]} ('), explained)
        self.assertIn('v.tier == "critical"', explained)
        browser.find_element(By.ID, "editor-entity").clear()

        browser.find_element(By.ID, "editor-save").click()
        wait.until(ready.text_to_be_present_in_element((By.ID, "editor-status"), "Saved rules/onboarding.vigil"))
        with open(os.path.join(self.rules, "onboarding.vigil")) as f:
            self.assertEqual(f.read(), GOOD_RULE)
        status, data = self.api("POST", "/v1/run", {"as_of": "2026-11-01", "store": True})
        self.assertEqual(status, 200)
        self.assertEqual(sorted(f["entity"] for f in data["findings"] if f["rule"] == "NEW-001"), critical)
        browser.get(f"http://127.0.0.1:{self.port}/#findings")
        browser.refresh()  # the same document otherwise: only the fragment changed
        wait.until(ready.text_to_be_present_in_element((By.ID, "run-summary"), "Run 2, as of 2026-11-01"))
        Select(browser.find_element(By.ID, "filter-rule")).select_by_value("NEW-001")
        self.assertEqual(len(self.rows(browser)), len(critical))
        browser.save_screenshot(os.path.join(SCREENSHOTS, "new-rule-findings-desktop.png"))
        # The risk accepted before the run is accepted in it.
        Select(browser.find_element(By.ID, "filter-rule")).select_by_value("CONC-001")
        Select(browser.find_element(By.ID, "filter-status")).select_by_value("accepted")
        self.assertEqual([r.find_elements(By.CSS_SELECTOR, "td")[2].text.split(" ")[0] for r in self.rows(browser)],
                         [self.accepted["entity"]])
        self.runs_page(browser, wait, critical)
        self.waivers_page(browser, wait)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
