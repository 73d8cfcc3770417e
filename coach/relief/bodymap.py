"""The body map as data: where each region sits on the front and back figure, its location and side, its name."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import codes
from . import bp

# The figure's drawing box (templates/_bodymap.html draws both views in it); regions are placed in its units.
WIDTH, HEIGHT = 300, 556

# Short names that fit beside a side word; the diary uses the full labels of domain.codes.
MAP_LABELS = {
    "neck": "Neck", "upper_back": "Upper back", "between_shoulder_blades": "Between shoulder blades",
    "mid_back": "Mid back", "lower_back": "Lower back", "buttock": "Buttock", "thigh": "Thigh", "calf": "Calf",
    "jaw": "Jaw", "chest": "Chest", "arm": "Arm", "abdomen": "Belly", "hand": "Hand", "foot": "Foot",
}
SIDE_WORDS = {"left": "left", "right": "right", "central": "middle"}

# Columns (x, width) in drawing units. Seen from behind, the person's left is on the viewer's left; seen from
# the front it is on the viewer's right, so the front view swaps the outer columns.
_ARM, _TORSO, _BUTTOCK, _LEG = (
    ((0, 58), (242, 58)),
    ((62, 56), (122, 56), (182, 56)),
    ((66, 82), (152, 82)),
    ((88, 60), (152, 60)),
)
# Rows (y, height).
_NECK, _JAW = (54, 56), (26, 56)
_UPPER, _MID, _LOWER, _BUTTOCKS = (112, 56), (170, 56), (228, 56), (286, 56)
_ARMS, _HANDS = (118, 132), (254, 58)
_THIGH_BACK, _THIGH_FRONT, _CALF, _FOOT = (344, 70), (288, 126), (418, 70), (492, 58)


@dataclass(frozen=True)
class Region:
    location: str
    side: str  # "left", "right" or "central"; "all" on the map without sides
    box: tuple[int, int, int, int]  # x, y, width, height in drawing units

    @property
    def middle_only(self) -> bool:
        """A place with nothing but a middle (jaw, neck, between the shoulder blades): chosen whatever the side."""
        return self.location in _CENTRAL_ONLY

    @property
    def name(self) -> str:
        """The button's name: "Lower back, left"; a place that has only a middle needs no side ("Jaw")."""
        if self.location in _CENTRAL_ONLY or self.side == "all":
            return MAP_LABELS[self.location]
        return f"{MAP_LABELS[self.location]}, {SIDE_WORDS[self.side]}"



def _row(location: str, columns, row, sides=("left", "central", "right")) -> list[Region]:
    return [Region(location, side, (x, row[0], w, row[1])) for side, (x, w) in zip(sides, columns, strict=True)]


def _pair(location: str, columns, row, *, mirrored: bool) -> list[Region]:
    return _row(location, columns, row, ("right", "left") if mirrored else ("left", "right"))


def _view(*, front: bool) -> tuple[Region, ...]:
    torso_sides = ("right", "central", "left") if front else ("left", "central", "right")
    regions: list[Region] = []
    if front:
        regions += [Region("jaw", "central", (122, _JAW[0], 56, _JAW[1]))]
        regions += _row("chest", _TORSO, _UPPER, torso_sides)
        regions += _row("abdomen", _TORSO, (_MID[0], _LOWER[0] + _LOWER[1] - _MID[0]), torso_sides)
    else:
        regions += [Region("neck", "central", (122, _NECK[0], 56, _NECK[1]))]
        regions += _row("upper_back", _TORSO, _UPPER, ("left", "central", "right"))
        regions[-2] = Region("between_shoulder_blades", "central", regions[-2].box)
        regions += _row("mid_back", _TORSO, _MID, torso_sides)
        regions += _row("lower_back", _TORSO, _LOWER, torso_sides)
        regions += _pair("buttock", _BUTTOCK, _BUTTOCKS, mirrored=False)
    regions += _pair("arm", _ARM, _ARMS, mirrored=front)
    regions += _pair("hand", _ARM, _HANDS, mirrored=front)
    if front:
        regions += _pair("thigh", _LEG, _THIGH_FRONT, mirrored=True)
    else:
        regions += _pair("thigh", _LEG, _THIGH_BACK, mirrored=False)
        regions += _pair("calf", _LEG, _CALF, mirrored=False)
    regions += _pair("foot", _LEG, _FOOT, mirrored=front)
    return tuple(regions)


_CENTRAL_ONLY = frozenset({"neck", "jaw", "between_shoulder_blades"})
BACK_REGIONS = _view(front=False)
FRONT_REGIONS = _view(front=True)


def _merged(regions: tuple[Region, ...]) -> tuple[Region, ...]:
    """One region per location (the map without sides): the box around that location's side regions."""
    by_location: dict[str, list[Region]] = {}
    for region in regions:
        by_location.setdefault(region.location, []).append(region)
    merged = []
    for location, parts in by_location.items():
        x0 = min(p.box[0] for p in parts)
        y0 = min(p.box[1] for p in parts)
        x1 = max(p.box[0] + p.box[2] for p in parts)
        y1 = max(p.box[1] + p.box[3] for p in parts)
        others = [r.box for r in regions if r.location != location]
        if len(parts) == 1 or any(_overlap((x0, y0, x1 - x0, y1 - y0), box) for box in others):
            merged += parts  # apart, like the arms or the upper back around the shoulder blades: one button each
        else:
            merged.append(Region(location, "all", (x0, y0, x1 - x0, y1 - y0)))
    return tuple(merged)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@dataclass(frozen=True)
class View:
    key: str  # "back" or "front"
    title: str  # the group's name for a screen reader
    hint: str  # which way left and right are
    regions: tuple[Region, ...]


def body_map_views(sides: bool = True) -> tuple[View, ...]:
    """Both views for templates/_bodymap.html, back first (most spasms are there)."""
    back, front = (BACK_REGIONS, FRONT_REGIONS) if sides else (_merged(BACK_REGIONS), _merged(FRONT_REGIONS))
    return (
        View("back", "Back of the body", "Seen from behind: your left is on the left.", back),
        View("front", "Front of the body", "Seen from the front: your left is on the right.", front),
    )


bp.add_app_template_global(body_map_views, "body_map_views")
bp.add_app_template_global(lambda: tuple(codes.LOCATION_LABELS.items()), "body_map_locations")


def region_class(view: str, region: Region) -> str:
    return f"bm-{view}-{region.location}-{region.side}"


def css() -> str:
    """The regions' places as CSS (the page's policy allows no inline styles): static/css/bodymap.css holds it."""
    lines = []
    seen = set()
    for view in (*body_map_views(True), *body_map_views(False)):
        for region in view.regions:
            name = region_class(view.key, region)
            if name in seen:
                continue
            seen.add(name)
            x, y, w, h = region.box
            lines.append(
                f".{name} {{ left: {100 * x / WIDTH:.3f}%; top: {100 * y / HEIGHT:.3f}%; "
                f"width: {100 * w / WIDTH:.3f}%; height: {100 * h / HEIGHT:.3f}%; }}"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m coach.relief.bodymap: the generated block of static/css/bodymap.css
    print(css(), end="")
