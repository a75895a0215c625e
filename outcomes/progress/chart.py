"""The distance-travelled chart, drawn on the server as SVG coordinates for the
template (no JavaScript): one line per scale over the three moments."""

from dataclasses import dataclass

from ..models import SCALES, Assessment
from .selectors import MOMENTS, scale_label

WIDTH, HEIGHT = 560, 280
LEFT, RIGHT, TOP, BOTTOM = 40, 20, 16, 36
# Okabe-Ito: told apart with the common colour-vision deficiencies.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
# Each line also has its own dash pattern, so that colour is not the only cue.
DASHES = ("", "6 3", "2 3", "8 3 2 3", "12 4", "3 6")


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    score: int
    moment_label: str


@dataclass(frozen=True)
class Line:
    name: str
    label: str
    colour: str
    dash: str
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    # The table alternative: one row per scale, one score (or None) per moment.
    rows: list[tuple[str, list[int | None]]]
    moment_labels: list[str]
    point_count: int  # moments taken


# Lines with the same score at a moment would hide each other's points: each scale
# is drawn a few pixels aside from the moment's position.
DODGE = 4


def _x(index: int, scale: int | None = None) -> float:
    span = WIDTH - LEFT - RIGHT
    x = LEFT + 30 + index * (span - 60) / (len(MOMENTS) - 1)
    if scale is not None:
        x += (scale - (len(SCALES) - 1) / 2) * DODGE
    return x


def _y(score: int) -> float:
    span = HEIGHT - TOP - BOTTOM
    return TOP + (10 - score) * span / 9


def build_chart(assessments: dict[str, Assessment]) -> Chart:
    labels = [str(label) for _moment, label in Assessment.Moment.choices]
    lines = []
    rows = []
    for index, name in enumerate(SCALES):
        points = []
        scores: list[int | None] = []
        for position, moment in enumerate(MOMENTS):
            assessment = assessments.get(moment)
            score = getattr(assessment, name) if assessment else None
            scores.append(score)
            if score is not None:
                points.append(
                    Point(_x(position, index), _y(score), score, labels[position])
                )
        label = scale_label(name)
        lines.append(Line(name, label, COLOURS[index], DASHES[index], points))
        rows.append((label, scores))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        lines=lines,
        x_ticks=[(_x(i), label) for i, label in enumerate(labels)],
        y_ticks=[(_y(score), score) for score in range(1, 11)],
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
        rows=rows,
        moment_labels=labels,
        point_count=sum(1 for m in MOMENTS if m in assessments),
    )
