"""The taxonomy of named credential kinds (issue 25.4): what a page that is none of the registered types may be,
and which policy class it belongs to.

Two sources, one table: the registered types (tools/credentials), derived here as kinds of class `registered`,
and the kinds in credential_kinds.yaml (zh and en names, synonyms, class, evidence strength). A kind listed in
the file that is a registered type is an error (one home). `load_taxonomy()` validates on load: unique ids, no
synonym shared by two kinds, known classes, routes and strengths.

`Taxonomy.match(title, body)` names the kind a page is: a synonym in its title (the large lines at the top)
first, the longest one wins; else a synonym in its body, for kinds whose words do not appear as labels on other
documents (a 身份证号 label on a certificate is not an ID card).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from credlift.errors import CredliftError

TAXONOMY_FILE = Path(__file__).with_name("credential_kinds.yaml")
Route = Literal["priced", "review", "not_counted"]
Strength = Literal["strong", "moderate", "weak"]
#: classes whose words are printed as labels on other documents: matched on a page's title only
TITLE_ONLY_ROUTES = ("not_counted",)
REGISTERED = "registered"
UNLISTED = "unlisted"


class TaxonomyError(CredliftError, ValueError):
    """credential_kinds.yaml is malformed: a duplicate id or synonym, an unknown class or strength."""


class PolicyClass(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    route: Route = Field(description="priced: a registered type's table; review: a person, never an automatic "
                                     "increase; not_counted: not a credential the policy counts")
    en: str
    zh: str


class CredentialKind(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    zh: str
    en: str
    synonyms: tuple[str, ...] = ()
    policy_class: str = Field(alias="class")
    evidence: Strength
    registered_type: str | None = None  # the registered type it is (derived kinds only)

    @property
    def words(self) -> tuple[str, ...]:
        """Every name it goes by, without repeats, longest first."""
        return tuple(sorted(dict.fromkeys((self.zh, self.en, *self.synonyms)), key=len, reverse=True))


class KindMatch(BaseModel):
    kind: CredentialKind
    policy_class: PolicyClass
    matched: str = Field(description="the words on the page that named it")
    where: Literal["title", "body", "none"]


class Taxonomy(BaseModel):
    classes: dict[str, PolicyClass]
    kinds: tuple[CredentialKind, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        seen: dict[str, str] = {}
        ids: set[str] = set()
        for kind in self.kinds:
            if kind.id in ids:
                raise TaxonomyError(f"credential kind {kind.id!r} is listed twice")
            ids.add(kind.id)
            if kind.policy_class not in self.classes:
                raise TaxonomyError(f"credential kind {kind.id!r} has an unknown class {kind.policy_class!r}")
            for word in kind.words:
                key = _key(word)
                if key in seen and seen[key] != kind.id:
                    raise TaxonomyError(f"{word!r} names both {seen[key]!r} and {kind.id!r}")
                seen[key] = kind.id
        return self

    def kind(self, kind_id: str) -> CredentialKind | None:
        return next((kind for kind in self.kinds if kind.id == kind_id), None)

    def class_of(self, kind: CredentialKind) -> PolicyClass:
        return self.classes[kind.policy_class]

    def match(self, title: str, body: str = "") -> KindMatch | None:
        """The kind the page's title names (longest synonym), else one its body names; None when neither does."""
        for where, text in (("title", title), ("body", body)):
            text = _key(text)
            found = [(len(word), word, kind) for kind in self.kinds for word in kind.words
                     if _key(word) in text and (where == "title" or self.class_of(kind).route not in TITLE_ONLY_ROUTES)]
            if found:
                _, word, kind = max(found, key=lambda item: item[0])
                return KindMatch(kind=kind, policy_class=self.class_of(kind), matched=word, where=where)
        return None

    def unlisted(self) -> KindMatch:
        """A credential-like page the taxonomy does not name: plausible, so a person reads it."""
        kind = CredentialKind(id=UNLISTED, zh="未列入分类表的证书", en="unlisted credential", **{"class": UNLISTED},
                              evidence="weak")
        return KindMatch(kind=kind, policy_class=self.classes[UNLISTED], matched="", where="none")


def _key(text: str) -> str:
    return "".join(str(text).split()).upper()


def _registered_kinds() -> list[CredentialKind]:
    from credlift.tools.credentials import SPECS

    return [CredentialKind(id=spec.type, zh=spec.name_zh, en=spec.name_en, **{"class": REGISTERED},
                           evidence="weak" if spec.weaker_evidence else "strong", registered_type=spec.type)
            for spec in SPECS.values()]


def load_taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    """The file's kinds after the registered types' (validated; TaxonomyError names what is wrong)."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise TaxonomyError(f"{path}: {error}") from error
    classes = {name: PolicyClass(id=name, **entry) for name, entry in (document.get("classes") or {}).items()}
    if REGISTERED in classes:
        raise TaxonomyError(f"{path}: the class {REGISTERED!r} is the registry's")
    classes[REGISTERED] = PolicyClass(id=REGISTERED, route="priced", en="registered credential type",
                                      zh="已接受的证书类型")
    if UNLISTED not in classes or classes[UNLISTED].route != "review":
        raise TaxonomyError(f"{path}: the class {UNLISTED!r} must exist and route to review")
    registered = _registered_kinds()
    listed = [CredentialKind(**entry) for entry in document.get("kinds") or []]
    clash = sorted({kind.id for kind in listed} & {kind.id for kind in registered})
    if clash:
        raise TaxonomyError(f"{path}: {', '.join(clash)} is a registered type (tools/credentials), derived here")
    if any(kind.policy_class == REGISTERED for kind in listed):
        raise TaxonomyError(f"{path}: only registered types are of class {REGISTERED!r}")
    try:
        return Taxonomy(classes=classes, kinds=(*registered, *listed))
    except ValueError as error:
        raise TaxonomyError(f"{path}: {error}") from error


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded once (the registered types as they are at first use)."""
    return load_taxonomy()


__all__ = ["CredentialKind", "KindMatch", "PolicyClass", "Taxonomy", "TaxonomyError", "load_taxonomy", "taxonomy",
           "TAXONOMY_FILE", "REGISTERED", "UNLISTED"]
