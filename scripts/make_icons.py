"""Draw the app icons (a white rounded plus on the theme colour) as PNGs, standard library only.

Run from the repository root: python3 scripts/make_icons.py
Writes static/icons/{icon-192,icon-512,maskable-512,apple-touch-icon,favicon-32}.png.
"""
import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
THEME = (0x17, 0x59, 0x6E)  # --accent in static/css/app.css and theme_color in the manifest
WHITE = (0xFF, 0xFF, 0xFF)


def rounded_box(px, py, half_w, half_h, radius):
    """Signed distance from (px, py) to a rounded rectangle centred on the origin (negative inside)."""
    qx = abs(px) - half_w + radius
    qy = abs(py) - half_h + radius
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    inside = min(max(qx, qy), 0.0)
    return outside + inside - radius


def coverage(distance_px):
    """Anti-aliasing: how much of a pixel a shape covers, given the distance from its edge in pixels."""
    return min(max(0.5 - distance_px, 0.0), 1.0)


def draw(size, *, plate_radius, plus_scale):
    """RGBA rows: a theme-coloured plate (rounded by plate_radius, 0 = full bleed) with a white plus.

    Lengths are fractions of the icon size; the plus spans plus_scale of it.
    """
    arm_half_len = plus_scale / 2
    arm_half_w = plus_scale * 0.19
    arm_radius = arm_half_w * 0.55
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            # Pixel centre in units of the icon size, origin at the centre.
            u = (x + 0.5) / size - 0.5
            v = (y + 0.5) / size - 0.5
            if plate_radius:
                plate = coverage(rounded_box(u, v, 0.5, 0.5, plate_radius) * size)
            else:
                plate = 1.0
            plus_d = min(
                rounded_box(u, v, arm_half_len, arm_half_w, arm_radius),
                rounded_box(u, v, arm_half_w, arm_half_len, arm_radius),
            )
            plus = coverage(plus_d * size)
            rgb = [round(t + (w - t) * plus) for t, w in zip(THEME, WHITE)]
            row += bytes(rgb) + bytes([round(255 * plate)])
        rows.append(bytes(row))
    return rows


def png(size, rows):
    """Encode RGBA rows as a PNG file (colour type 6, 8 bits, no filtering)."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


# name: (size, plate corner radius, plus size). A maskable icon is cropped by the launcher to as
# little as the centred circle of 80% diameter, so it is full bleed and its plus (corners at
# about 0.30 of the size from the centre) stays inside that 0.4 radius. Apple masks the
# apple-touch-icon itself and shows transparency as black, so it is full bleed too.
ICONS = {
    "icon-192.png": (192, 0.22, 0.56),
    "icon-512.png": (512, 0.22, 0.56),
    "maskable-512.png": (512, 0, 0.56),
    "apple-touch-icon.png": (180, 0, 0.52),
    "favicon-32.png": (32, 0.2, 0.66),
}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (size, plate_radius, plus_scale) in ICONS.items():
        data = png(size, draw(size, plate_radius=plate_radius, plus_scale=plus_scale))
        (OUT / name).write_bytes(data)
        print(f"{OUT / name} {size}x{size} {len(data)} bytes")


if __name__ == "__main__":
    main()
