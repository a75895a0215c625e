"""Locust users for ``benchmarks/load.py``: advisors who use the site as a browser does.

Not run on its own: ``load.py`` seeds the database, writes the fixture (who logs in,
which case files, sessions and cohorts are theirs) to ``LOAD_FIXTURE``, starts gunicorn
and runs ``locust -f`` on this file; every write the server acknowledged is written to
``LOAD_RESULTS`` when the run stops, for ``load.py`` to look for in the database.

Each advisor logs in through the login form, reads every form it posts from the page
(the CSRF token, the hidden version and idempotency fields, the defaults of the selects
and radios) and changes only what a person would type. Acknowledged means what the
browser shows as saved: the server answered with a redirect.
"""

import datetime
import itertools
import json
import os
import random
import time
import uuid

import gevent
from gevent.event import Event
from load_forms import Forms, post_form, without_buttons
from locust import HttpUser, between, events, task
from locust.exception import RescheduleTask

FIXTURE = json.loads(open(os.environ["LOAD_FIXTURE"], encoding="utf-8").read())
RESULTS_PATH = os.environ["LOAD_RESULTS"]
ADVISORS = FIXTURE["advisors"]
STARTED = time.time()
STATUSES = ["present", "late", "excused", "absent"]

_next_advisor = itertools.count()
_logged_in = itertools.count(1)
_all_logged_in = Event()

# What the server acknowledged (or refused), for load.py's checks.
RESULTS: dict = {
    "notes": [],  # {"marker", "case", "posts"}: posts of the same rendered form
    "notes_unacknowledged": 0,
    "edits": {},  # case id -> the last acknowledged next follow-up date
    "edits_acknowledged": 0,
    "edits_unexpectedly_refused": 0,
    "stale_attempts": 0,
    "stale_refused": 0,
    "stale_values": {},  # case id -> values posted stale (must never be stored)
    "attendance": {},  # "session:case" -> last acknowledged status
    "attendance_acknowledged": 0,
    "attendance_conflicts": 0,
    "enrolments": [],  # {"case", "waiting_list", "sent", "acked"} (client times)
    "enrol_not_acknowledged": 0,
    "server_errors": [],  # status >= 500, or no answer at all (status 0)
    "requests": 0,
    "work_requests": 0,  # once everyone is logged in
    "logins": 0,
    "logged_in_after": None,
    "work_seconds": None,
}


@events.request.add_listener
def _count(request_type, name, response, exception, **kwargs):
    RESULTS["requests"] += 1
    if _all_logged_in.is_set():
        RESULTS["work_requests"] += 1
    status = getattr(response, "status_code", 0) or 0
    if status >= 500 or exception is not None and not status:
        RESULTS["server_errors"].append(
            {
                "request": f"{request_type} {name}",
                "status": status,
                "error": str(exception),
            }
        )


def _dump(**kwargs):
    with open(RESULTS_PATH, "w", encoding="utf-8") as out:
        json.dump(RESULTS, out, indent=1)


events.test_stop.add_listener(_dump)
events.quitting.add_listener(_dump)


@events.init.add_listener
def _stop_after_the_work(environment, **kwargs):
    """The run lasts LOAD_SECONDS from the moment everyone is logged in (hashing 50
    passwords on a small machine takes a while; the logins are not the point)."""

    def stop():
        _all_logged_in.wait()
        RESULTS["logged_in_after"] = time.time() - STARTED
        gevent.sleep(float(os.environ.get("LOAD_SECONDS", "120")))
        RESULTS["work_seconds"] = time.time() - STARTED - RESULTS["logged_in_after"]
        if environment.runner is not None:
            environment.runner.quit()

    gevent.spawn(stop)


class Advisor(HttpUser):
    """An advisor with four case files: the first races for a place in the small
    cohort, the second is in the cohort whose registers they keep, notes and edits go
    to all four."""

    wait_time = between(0.5, 2.0)

    def page(self, url: str, name: str) -> str:
        """A page, as a browser shows it; without it (no answer, counted as such by
        ``_count``) the advisor moves on to their next task."""
        response = self.client.get(url, name=name)
        if response.status_code != 200:
            raise RescheduleTask()
        return response.text

    def on_start(self):
        index = next(_next_advisor)
        me = ADVISORS[index % len(ADVISORS)]
        self.me = me
        self.cases = me["cases"]
        self.sessions = FIXTURE["sessions"]
        page = self.client.get("/login/", name="/login/")
        data = post_form(page.text, has="username")
        data.update(username=me["username"], password=FIXTURE["password"])
        with self.client.post(
            "/login/",
            data=without_buttons(data),
            allow_redirects=False,
            name="/login/ [post]",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {me['username']}: {response.status_code}")
                raise RuntimeError(f"{me['username']} could not log in")
        RESULTS["logins"] += 1
        if next(_logged_in) >= min(len(ADVISORS), FIXTURE["users"]):
            _all_logged_in.set()
        # Everyone asks for the few places at the same moment.
        _all_logged_in.wait(timeout=600)
        try:
            self.enrol()
        except RescheduleTask:
            RESULTS["enrol_not_acknowledged"] += 1

    # --- enrolment race ---------------------------------------------------------------

    def enrol(self):
        case = self.cases[0]
        url = f"/programmes/cases/{case}/enrol/"
        page = self.page(url, "/programmes/cases/[id]/enrol/")
        cohort = str(FIXTURE["race_cohort"])
        data = self._cohort_form(page, cohort)
        sent = time.time()
        response = self.client.post(
            url,
            data=without_buttons(data),
            allow_redirects=False,
            name="/programmes/cases/[id]/enrol/ [post]",
        )
        if response.status_code == 200:
            # Full by the time it was our turn: the page offers the waiting list.
            data = self._cohort_form(response.text, cohort)
            if data.get("waiting_list") != "1":
                RESULTS["enrol_not_acknowledged"] += 1
                return
            sent = time.time()
            response = self.client.post(
                url,
                data=without_buttons(data),
                allow_redirects=False,
                name="/programmes/cases/[id]/enrol/ [waiting list]",
            )
        if response.status_code != 302:
            RESULTS["enrol_not_acknowledged"] += 1
            return
        RESULTS["enrolments"].append(
            {
                "case": case,
                "waiting_list": data.get("waiting_list") == "1",
                "sent": sent,
                "acked": time.time(),
            }
        )

    @staticmethod
    def _cohort_form(html: str, cohort: str) -> dict:
        parser = Forms()
        parser.feed(html)
        for form in parser.forms:
            fields = dict(form["fields"])
            if form["method"] == "post" and fields.get("cohort") == cohort:
                return fields
        return {}

    # --- notes ------------------------------------------------------------------------

    @task(5)
    def write_note(self):
        case = random.choice(self.cases)
        url = f"/cases/{case}/notes/new/"
        page = self.page(url, "/cases/[id]/notes/new/")
        data = without_buttons(post_form(page, has="text"))
        marker = f"load-{uuid.uuid4().hex}"
        data["topic"] = random.choice(["Suivi", "CV", "Recherche d'emploi"])
        data["text"] = f"Entretien de suivi ({marker}) : point sur la recherche."
        # One in five is a double click: the same rendered form posted twice.
        posts = 2 if random.random() < 0.2 else 1
        acknowledged = 0
        for _ in range(posts):
            response = self.client.post(
                url,
                data=data,
                allow_redirects=False,
                name="/cases/[id]/notes/new/ [post]",
            )
            acknowledged += response.status_code == 302
        if acknowledged:
            RESULTS["notes"].append({"marker": marker, "case": case, "posts": posts})
        else:
            RESULTS["notes_unacknowledged"] += 1

    # --- case file edits --------------------------------------------------------------

    def _edit_form(self, case: int) -> dict:
        page = self.page(f"/cases/{case}/edit/", "/cases/[id]/edit/")
        return without_buttons(post_form(page, has="version"))

    def _post_edit(self, case: int, data: dict, name: str):
        return self.client.post(
            f"/cases/{case}/edit/", data=data, allow_redirects=False, name=name
        )

    @staticmethod
    def _follow_up(avoid: set[str]) -> str:
        while True:
            day = datetime.date.today() + datetime.timedelta(
                days=random.randint(1, 365)
            )
            if day.isoformat() not in avoid:
                return day.isoformat()

    @task(2)
    def edit_case(self):
        case = random.choice(self.cases[2:])
        data = self._edit_form(case)
        data["next_follow_up_on"] = self._follow_up({data.get("next_follow_up_on", "")})
        response = self._post_edit(case, data, "/cases/[id]/edit/ [post]")
        if response.status_code == 302:
            RESULTS["edits"][str(case)] = data["next_follow_up_on"]
            RESULTS["edits_acknowledged"] += 1
        else:
            RESULTS["edits_unexpectedly_refused"] += 1

    @task(1)
    def stale_edit(self):
        """Two tabs opened on the same file: the first saves, the second (still on the
        old version) must be refused, not overwrite the first."""
        case = random.choice(self.cases[2:])
        first = self._edit_form(case)
        second = dict(first)
        first["next_follow_up_on"] = self._follow_up(
            {first.get("next_follow_up_on", "")}
        )
        response = self._post_edit(case, first, "/cases/[id]/edit/ [post]")
        if response.status_code != 302:
            RESULTS["edits_unexpectedly_refused"] += 1
            return
        RESULTS["edits"][str(case)] = first["next_follow_up_on"]
        RESULTS["edits_acknowledged"] += 1
        second["next_follow_up_on"] = self._follow_up({first["next_follow_up_on"]})
        RESULTS["stale_attempts"] += 1
        response = self._post_edit(case, second, "/cases/[id]/edit/ [stale post]")
        if response.status_code == 302:
            # Overwritten: the check in load.py finds the stale value stored.
            RESULTS["edits"][str(case)] = second["next_follow_up_on"]
        else:
            RESULTS["stale_refused"] += 1
        RESULTS["stale_values"].setdefault(str(case), []).append(
            second["next_follow_up_on"]
        )

    # --- attendance -------------------------------------------------------------------

    @task(2)
    def take_attendance(self):
        case = self.cases[1]
        session = random.choice(self.sessions)
        url = f"/programmes/sessions/{session}/"
        page = self.page(url, "/programmes/sessions/[id]/")
        form = post_form(page, css="register")
        data = without_buttons(form)
        status = random.choice(STATUSES)
        data[f"status_{case}"] = status
        data["save"] = ""
        response = self.client.post(
            url,
            data=data,
            allow_redirects=False,
            name="/programmes/sessions/[id]/ [post]",
        )
        if response.status_code == 302:
            RESULTS["attendance"][f"{session}:{case}"] = status
            RESULTS["attendance_acknowledged"] += 1
        else:
            # Someone saved another line of the register since it was opened: the
            # whole save is refused with what changed (the person saves again).
            RESULTS["attendance_conflicts"] += 1
