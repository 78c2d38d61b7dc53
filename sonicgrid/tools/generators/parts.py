"""The instruments of a layer a brief names: the ones it asks for play their part ("a sad violin solo":
`played_as_said`), and the ones it turns down on their own ("no bass", "without piano":
Brief.exclude_parts): the part goes and the layer stays, so a calm track with no bass keeps its chords.

A part is turned down by its name in the arrangement (bass, keys, lead) or by its General MIDI family, in
whichever layer it plays: programs 0-7 are pianos, 24-31 guitars; the strings are violin, viola, cello,
tremolo and pizzicato strings and the string ensembles (a contrabass line stays the bass). A layer left with
no part at all gets a keys part from a family nobody turned down.
"""

from __future__ import annotations

FAMILIES: dict[str, tuple[int, ...]] = {
    "piano": tuple(range(0, 8)),
    "guitar": tuple(range(24, 32)),
    "strings": (40, 41, 42, 44, 45, 48, 49, 50, 51),
}
SUBSTITUTES = (24, 11, 48)  # nylon guitar, vibraphone, strings: the keys when every part was turned down


def _turned_down(part: str, program: int, excluded: list[str]) -> bool:
    if part == "drums":  # a drum kit's program 0 is no piano
        return False
    return part in excluded or any(program in FAMILIES.get(x, ()) for x in excluded)


def without(parts: dict[str, int], excluded: list[str]) -> dict[str, int]:
    """`parts` (part -> GM program) less the ones `excluded` names; never empty if `parts` was not."""
    if not excluded:
        return parts
    kept = {k: v for k, v in parts.items() if not _turned_down(k, v, excluded)}
    if parts and not kept:
        kept["keys"] = next(p for p in SUBSTITUTES if not _turned_down("keys", p, excluded))
    return kept


def alone(roles: dict[str, int], layer: str) -> dict[str, int]:
    """ "just piano", "only strings": the instruments said and nothing else. The first said also plays the bass
    line in the harmony layer (a pianist's left hand, the low strings), and a melody instrument alone plays the
    chords under its line too (held, softer): a bar still has its harmony."""
    first = next(iter(roles.values()))
    if layer == "atmosphere":
        return {"pad": roles.get("pad", first)}
    out = dict(roles)
    if set(out) == {"lead"}:
        out["pad"] = first
    out.setdefault("bass", first)
    return out


def not_as_said(
    stored: dict[str, int] | None, layer: str, roles: dict[str, int], excluded: list[str], solo: bool
) -> str | None:
    """Why a stored stem's parts (part -> GM program, from its composed notes) are not what a request said: an
    instrument said plays another part or none, a part turned down plays, or more plays than the instruments said
    alone. None when they are (or nothing was said of them); a stem whose parts are not known is not as said."""
    if layer not in ("harmony", "atmosphere") or not (roles or excluded or solo):
        return None
    if stored is None:
        return "its instruments are not known"
    want = alone(roles, layer) if solo and roles else played_as_said({}, layer, roles)
    for part, program in want.items():
        if stored.get(part) != program:
            return f"its {part} is not the instrument asked for"
    if solo and roles and set(stored) - set(want):
        return f"it plays {', '.join(sorted(set(stored) - set(want)))} as well"
    gone = [p for p, prog in stored.items() if _turned_down(p, prog, excluded)]
    return f"its {gone[0]} was turned down" if gone else None


def played_as_said(parts: dict[str, int], layer: str, roles: dict[str, int]) -> dict[str, int]:
    """The instruments the request named (role -> GM program) in the parts that play them: the harmony layer's
    keys, pad and lead (a lead or pad added where the palette has none), the atmosphere's pad."""
    if layer == "harmony":
        return {**parts, **roles}
    if layer == "atmosphere" and "pad" in roles:
        return {**parts, "pad": roles["pad"]}
    return parts
