"""The POST forms of a page, as a browser would send them (for the load test)."""

from html.parser import HTMLParser


class Forms(HTMLParser):
    """The POST forms of a page with what a browser would send for each."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "class": a.get("class") or "",
                "fields": [],
                "buttons": [],
            }
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["fields"].append((name, a.get("value") or "on"))
            elif kind in ("submit", "image", "button"):
                form["buttons"].append((name, a.get("value") or ""))
            elif kind != "file":
                form["fields"].append((name, a.get("value") or ""))
        elif tag == "button" and name:
            form["buttons"].append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value") or "", "selected" in a))
        elif tag == "textarea" and name:
            self._textarea = name
            form["fields"].append((name, ""))

    def handle_data(self, data):
        if self._textarea is not None and self._form is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [v for v, selected in self._options if selected]
            if chosen or self._options:
                value = chosen[0] if chosen else self._options[0][0]
                self._form["fields"].append((self._select, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form:
            # A browser drops the newline that opens a textarea's content.
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value.removeprefix("\n"))
            self._textarea = None


def post_form(html: str, *, has: str | None = None, css: str | None = None) -> dict:
    """The first POST form of the page holding the field ``has`` (or of class ``css``),
    as the dict of what a browser sends (the first value of each name)."""
    parser = Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["method"] != "post":
            continue
        names = {name for name, _ in form["fields"]}
        if has is not None and has not in names:
            continue
        if css is not None and css not in form["class"].split():
            continue
        data: dict = {}
        for name, value in form["fields"]:
            data.setdefault(name, value)
        data["_buttons"] = form["buttons"]
        return data
    raise LookupError(f"no POST form with {has or css} on the page")


def without_buttons(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "_buttons"}
