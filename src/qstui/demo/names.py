"""People, company names, phone numbers and e-mail addresses for the demo data."""

from __future__ import annotations

import random
from dataclasses import dataclass

from qstui.demo.pools import City, LegalForm, Pools

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    middle_name: str
    is_male: bool

    @property
    def initials(self) -> str:
        """«Иванов И. П.»"""
        return f"{self.last_name} {self.first_name[0]}. {self.middle_name[0]}."

    @property
    def full(self) -> str:
        return f"{self.last_name} {self.first_name} {self.middle_name}"


def person(rng: random.Random, pools: Pools, is_male: bool | None = None) -> Person:
    if is_male is None:
        is_male = rng.random() < 0.55
    first = rng.choice(pools.male_names if is_male else pools.female_names)
    father = rng.choice(pools.male_names)
    male_last, female_last = rng.choice(pools.last_names)
    return Person(
        last_name=male_last if is_male else female_last,
        first_name=first.name,
        middle_name=father.patronymic_m if is_male else father.patronymic_f,
        is_male=is_male,
    )


def translit(text: str) -> str:
    """Latin letters for a Russian word (passport-style), for addresses and domains."""
    out = []
    for ch in text.lower():
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        else:
            out.append(" ")
    return "".join(out)


def brand(rng: random.Random, pools: Pools) -> str:
    """The name of a company without its legal form: «Вектор Трейд», «Альфа-Гамма»."""
    root = rng.choice(pools.roots)
    roll = rng.random()
    if roll < 0.30:
        return root
    if roll < 0.85:
        suffix = rng.choice(pools.suffixes)
        return f"{root}{suffix}" if suffix.startswith("-") else f"{root} {suffix}"
    other = rng.choice(pools.roots)
    return f"{root}-{other}" if other != root else f"{root} Плюс"


def company_names(form: LegalForm, core: str) -> tuple[str, str]:
    """(short name, full name): «ООО «Вектор Трейд»», «Общество … «Вектор Трейд»»."""
    return f"{form.short} «{core}»", f"{form.full} «{core}»"


def domain_for(core: str, cyrillic: bool = False) -> str:
    """A web domain derived from the company's name: «Вектор Трейд» → vektor-treyd.ru."""
    if cyrillic:
        label = "-".join("".join(c for c in w if c.isalnum()) for w in core.lower().split())
        return f"{label.strip('-') or 'компания'}.рф"
    label = "-".join(translit(core).split())
    return f"{label or 'company'}.ru"


def local_part(person: Person) -> str:
    """«Иванов Петр» → p.ivanov"""
    first = translit(person.first_name).replace(" ", "")
    last = translit(person.last_name).replace(" ", "")
    return f"{first[:1]}.{last}"


def _group_digits(local: str) -> str:
    """7 → 123-45-67, 6 → 12-34-56, 5 → 1-23-45."""
    return f"{local[:-4]}-{local[-4:-2]}-{local[-2:]}"


def city_phone(rng: random.Random, city: City) -> str:
    """A landline in the city's area code: «+7 (495) 123-45-67», «+7 (3812) 12-34-56»."""
    code = city.phone_code
    local_len = 10 - len(code)
    first = str(rng.randint(2, 9))
    local = first + "".join(str(rng.randint(0, 9)) for _ in range(local_len - 1))
    return f"+7 ({code}) {_group_digits(local)}"


def mobile_phone(rng: random.Random) -> str:
    """A mobile number: «+7 (916) 123-45-67»."""
    code = f"9{rng.randint(0, 99):02d}"
    local = f"{rng.randint(100, 999)}{rng.randint(0, 9999):04d}"
    return f"+7 ({code}) {_group_digits(local)}"
