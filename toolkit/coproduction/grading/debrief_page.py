"""The debrief as one page a trainer projects: large text, bars with their numbers
written on them, and discussion prompts drawn from how the room actually chose.

The page is self-contained (no scripts, fonts or pictures from anywhere) and
every piece of text in it is escaped, since scenario and self-check text is
course content but a trainer may be showing a cohort's page on a shared screen.
"""

from __future__ import annotations

from html import escape

from .debrief import DecisionPoint, Ending, Missed, Picture, ScenarioPicture, _excerpt

#: A choice taken by at least this share of those who reached its point is "most of the room".
MOST = 0.6

_STYLE = """
body { font-family: system-ui, sans-serif; font-size: 1.25rem; line-height: 1.5;
       color: #111; background: #fff; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 2rem; } h2 { font-size: 1.6rem; margin-top: 3rem; border-top: 2px solid #333;
     padding-top: 1rem; } h3 { font-size: 1.3rem; margin-top: 2rem; }
.situation { color: #333; font-style: italic; }
.option { margin: .6rem 0; }
.bar { background: #dde3ea; border: 1px solid #555; height: 1.6rem; }
.fill { background: #2f5d8a; height: 100%; }
.count { font-weight: 600; }
.lean { color: #444; font-size: 1rem; }
.prompt { background: #fff8dc; border-left: .4rem solid #8a6d00; padding: .6rem 1rem;
          margin: 1rem 0; }
.note { color: #444; font-size: 1rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #777; padding: .3rem .6rem;
        text-align: left; vertical-align: top; }
@media print { h2 { page-break-before: always; } .prompt { border-left-color: #000; } }
"""


def _lean(stance: int) -> str:
    return ("leans partner" if stance > 0 else "leans expert-provider" if stance < 0
            else "neither way")


def _count(n: int, of: int) -> str:
    return f"{n} of {of} ({round(100 * n / of)}%)" if of else str(n)


def point_prompt(point: DecisionPoint) -> str:
    """A question for the room about one decision point, chosen by how it split."""
    chosen = sorted((o for o in point.options if o.trainees), key=lambda o: -o.trainees)
    if point.reached < 2 or not chosen:
        return ""
    top = chosen[0]
    if len(chosen) == 1:
        others = [o for o in point.options if o is not top]
        if not others:
            return ""
        return (f"Everyone who reached this point chose “{top.label}”. Ask the room to make "
                f"the strongest case they can for “{others[0].label}”: who in the story would "
                "argue for it, and what would they say?")
    if top.trainees / point.reached >= MOST:
        return (f"Most of the room ({_count(top.trainees, point.reached)}) chose "
                f"“{top.label}”. What made it feel right at that moment? Ask someone who "
                f"chose “{chosen[1].label}” what they were weighing.")
    return (f"The room was divided here. Ask one person who chose “{top.label}” and one who "
            f"chose “{chosen[1].label}” to say what each was weighing, then ask what the "
            "people in the story would have wanted.")


def endings_prompt(scenario: ScenarioPicture) -> str:
    """A question for the room about where its routes ended."""
    if len(scenario.endings) < 2:
        return ("Everyone who finished reached the same ending. Which decision, made "
                "differently, would most have changed it?") if scenario.played > 1 else ""
    first, second = scenario.endings[0], scenario.endings[1]
    return (f"{first.trainees} reached “{first.title}” and {second.trainees} reached "
            f"“{second.title}”. Ask two people who ended differently to find the decision "
            "where their routes parted, and what the story made of it from then on.")


def missed_prompt(item: Missed) -> str:
    """A question for the room about a self-check item many first got wrong."""
    return ("Before anyone looks up the answer, ask the room to explain the idea behind this "
            "question in their own words, and to give an example from their own work.")


def _prompt(text: str) -> str:
    return f'<p class="prompt"><strong>For discussion:</strong> {escape(text)}</p>' if text else ""


def _point(point: DecisionPoint) -> str:
    rows = []
    for option in point.options:
        share = 100 * option.trainees / point.reached if point.reached else 0
        rows.append(
            f'<div class="option"><div>{escape(option.label)} '
            f'<span class="lean">({_lean(option.stance)})</span></div>'
            f'<div class="bar" role="img" aria-label="{_count(option.trainees, point.reached)}">'
            f'<div class="fill" style="width:{share:.1f}%"></div></div>'
            f'<div class="count">{_count(option.trainees, point.reached)}</div></div>')
    return (f"<h3>{escape(point.title)}</h3>"
            f'<p class="situation">{escape(point.situation)}</p>'
            + "".join(rows) + _prompt(point_prompt(point)))


def _ending(ending: Ending, of: int) -> str:
    stance = "" if ending.mean_stance is None else f"; mean stance {ending.mean_stance:+.1f}"
    routes = "".join(
        f"<li>{escape(' → '.join(route))} <span class=\"count\">({n} trainees)</span></li>"
        for route, n in ending.shared_routes)
    return (f"<tr><td>{escape(ending.title)}</td><td>{escape(ending.kind or '')}</td>"
            f"<td>{_count(ending.trainees, of)}{stance}</td>"
            f"<td>{'<ul>' + routes + '</ul>' if routes else 'no route shared by two or more'}"
            "</td></tr>")


def _scenario(s: ScenarioPicture) -> str:
    module = f"Module {s.module}: " if s.module else ""
    endings = "".join(_ending(e, s.played) for e in s.endings)
    return (f"<section><h2>{escape(module + s.title)}</h2>"
            f'<p class="note">First play-throughs of {s.played} trainee(s).</p>'
            + "".join(_point(p) for p in s.points)
            + (f'<p class="note">{s.hidden_points} decision point(s) reached by only one '
               "person are not shown, so nobody's choice is singled out.</p>"
               if s.hidden_points else "")
            + "<h3>Where the routes led</h3><table><tr><th>Ending</th><th>Kind</th>"
              "<th>Reached by</th><th>Routes taken by two or more</th></tr>"
            + endings + "</table>" + _prompt(endings_prompt(s)) + "</section>")


def _missed(items: list[Missed]) -> str:
    if not items:
        return ""
    rows = "".join(
        f"<li><p>{escape(_excerpt(m.prompt.split(chr(10) + chr(10))[0], 320))}</p><p class=\"count\">First answer wrong for "
        f"{_count(m.wrong_first, m.answered)} who answered it.</p>"
        f"{_prompt(missed_prompt(m))}</li>" for m in items)
    return ("<section><h2>Self-check questions most often missed first time</h2>"
            f"<ol>{rows}</ol></section>")


def page(picture: Picture) -> str:
    """The whole debrief page as HTML text."""
    body = "".join(_scenario(s) for s in picture.scenarios) or \
        "<p>No finished scenario was found in the journals handed in.</p>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Debrief: {escape(picture.assignment)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>Debrief: {escape(picture.assignment)}</h1>"
        f'<p class="note">From the journals of {picture.used} trainee(s), each one\'s first '
        "time through. No one is named, and a route or a decision point is shown only "
        "when two or more people took it or reached it.</p>" + body + _missed(picture.missed) + "</body></html>")
