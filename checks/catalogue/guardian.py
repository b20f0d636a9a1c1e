"""Guardians (vårdnadshavare) on the school platform."""

from __future__ import annotations

from collections.abc import Callable

from ..base import ADVICE, N_, Context, Texts, check, ok
from ..snapshot import PersonInfo, PlacementInfo

G = ["guardian"]
SP = ["school_platform"]


def _any_child_here(ctx: Context, test: Callable[[PersonInfo, PlacementInfo], bool]) -> str:
    """Pass when at least one linked child placed at this school passes; skip with none."""
    if ctx.account is None or not ctx.placements_here:
        return "skip"
    return ok(any(test(child, placement) for child, placement in ctx.placements_here))


@check("guardian.invited", G, SP, None, "private", "school_admin", ["000"], Texts(
    title=N_("Vårdnadshavaren är inbjuden"),
    user=N_("Du har inte fått någon inbjudan till skolplattformen ännu. Skolan skickar den."),
    fix=N_("Skicka en inbjudan till vårdnadshavaren från vårdnadshavarens profil."),
))
def guardian_invited(ctx: Context) -> str:
    return "skip" if ctx.account is None else ok(ctx.account.invited)


@check("guardian.login_allowed", G, SP, None, "private", "school_admin", ["000"], Texts(
    title=N_("Vårdnadshavaren får logga in"),
    user=N_("Ditt konto är inte tillåtet att logga in just nu. Skolan kan ändra det."),
    fix=N_("Markera vårdnadshavarens profil som tillåten att logga in."),
))
def guardian_login_allowed(ctx: Context) -> str:
    return "skip" if ctx.account is None else ok(ctx.account.login_allowed)


@check("guardian.has_children", G, ["school_platform", "learning_platform"], None, "private", "school_admin",
       ["000", "004"], Texts(
    title=N_("Vårdnadshavaren är kopplad till ett barn"),
    user=N_("Ditt konto är inte kopplat till något barn, så det finns inget att visa. Skolan behöver koppla "
            "dig till ditt barn."),
    fix=N_("Koppla vårdnadshavaren till sitt eller sina barn."),
))
def guardian_has_children(ctx: Context) -> str:
    if ctx.account is None or ctx.subject is None:
        return "skip"
    return ok(bool(ctx.subject.children))


@check("guardian.child_at_school", G, ["school_platform", "learning_platform"], None, "private",
       "school_admin", ["000", "004"], Texts(
    title=N_("Ett barn går på skolan"),
    user=N_("Inget av de barn du är kopplad till är placerat på den här skolan. Välj barnets skola, eller be "
            "skolan kontrollera placeringen."),
    fix=N_("Inget av vårdnadshavarens barn har en placering på skolan. Kontrollera barnets placering och "
           "vårdnadshavarens koppling."),
))
def guardian_child_at_school(ctx: Context) -> str:
    if ctx.account is None or ctx.subject is None or not ctx.subject.children:
        return "skip"
    return ok(bool(ctx.placements_here))


@check("guardian.child_active", G, SP, None, "private", "school_admin", ["000"], Texts(
    title=N_("Barnets placering är aktiv"),
    user=N_("Barnets placering på skolan är inte aktiv. Skolan behöver kontrollera den."),
    fix=N_("Sätt barnets placering till status Aktiv om barnet går kvar på skolan."),
))
def guardian_child_active(ctx: Context) -> str:
    return _any_child_here(ctx, lambda child, placement: placement.status == "active")


@check("guardian.child_end_date", G, SP, None, "private", "school_admin", ["000"], Texts(
    title=N_("Barnets slutdatum har inte passerat"),
    user=N_("Barnets placering på skolan har ett slutdatum som har passerat. Skolan behöver kontrollera det."),
    fix=N_("Barnets slutdatum på skolan har passerat. Ändra slutdatumet om barnet går kvar."),
))
def guardian_child_end_date(ctx: Context) -> str:
    return _any_child_here(ctx, lambda child, placement: placement.end is None or placement.end >= ctx.today)


@check("guardian.child_allows_guardian_login", G, SP, None, "private", "school_admin", ["000"], Texts(
    title=N_("Barnets vårdnadshavare får logga in"),
    user=N_("Barnets uppgifter på skolan tillåter inte att vårdnadshavare loggar in. Skolan kan ändra det."),
    fix=N_("Markera på barnet att dess vårdnadshavare tillåts logga in."),
))
def guardian_child_allows_guardian_login(ctx: Context) -> str:
    return _any_child_here(ctx, lambda child, placement: placement.guardians_may_log_in)


@check("guardian.adult_student_access", G, SP, None, "private", "school_admin", ["000", "001"], Texts(
    title=N_("Åtkomst till elev som fyllt 18"),
    user=N_("Ditt barn har fyllt 18 år. Då bestämmer eleven själv om vårdnadshavare ska kunna se uppgifterna. "
            "Vill eleven det, kan skolan registrera det."),
    fix=N_("Eleven har fyllt 18. Om eleven vill att vårdnadshavarna ska ha kvar åtkomst, sätt "
           "åtkomstinställningen till Aktiverad; Automatisk betyder att åtkomsten upphör vid 18."),
))
def guardian_adult_student_access(ctx: Context) -> str:
    return _any_child_here(
        ctx,
        lambda child, placement: not ctx.child_is_adult(child) or placement.adult_guardian_access == "enabled",
    )


@check("guardian.bankid_personnummer", G, SP, ["bankid_failed"], "private", "school_admin", ["000"], Texts(
    title=N_("Personnummer finns registrerat"),
    user=N_("Det finns inget personnummer registrerat på dig, och BankID behöver det. Skolan lägger in det."),
    fix=N_("Lägg in vårdnadshavarens personnummer på profilen så att BankID kan matcha."),
))
def guardian_bankid_personnummer(ctx: Context) -> str:
    return "skip" if ctx.account is None else ok(ctx.person.personnummer is not None)


@check("guardian.bankid_temporary_personnummer", G, SP, ["bankid_failed"], "private", "school_admin",
       ["000"], Texts(
    title=N_("Personnumret är inte tillfälligt"),
    user=N_("Ditt personnummer är markerat som tillfälligt, och då kan BankID inte känna igen dig. Skolan "
            "behöver ta bort markeringen när du har ett riktigt personnummer."),
    fix=N_("Ta bort markören för tillfälligt personnummer och kontrollera att rätt personnummer är inlagt."),
))
def guardian_bankid_temporary_personnummer(ctx: Context) -> str:
    return "skip" if ctx.account is None else ok(not ctx.person.temporary_personnummer)


@check("guardian.email_is_primary", G, SP, ["password_login_failed", "forgot_password"], "private", ADVICE,
       ["000"], Texts(
    title=N_("Inloggning med den första e-postadressen"),
    user=N_("Du skrev en av dina andra e-postadresser. Logga in med din första e-postadress; det är också "
            "dit vi skickar meddelanden."),
))
def guardian_email_is_primary(ctx: Context) -> str:
    position = ctx.typed_email_position()
    if ctx.account is None or position is None:
        return "skip"
    return "pass" if position == 0 else "advice"


@check("guardian.profile_at_new_unit", G, SP, None, "private", "school_admin", ["000"], Texts(
    title=N_("Profil på den nya enheten"),
    user=N_("Du finns som vårdnadshavare på en annan skola hos samma huvudman men inte på den här. Skolan "
            "behöver lägga upp dig här."),
    fix=N_("Vårdnadshavaren har en profil på en annan enhet hos huvudmannen men ingen här. Lägg upp "
           "vårdnadshavaren på den här enheten och koppla barnet."),
), about_person=True)
def guardian_profile_at_new_unit(ctx: Context) -> str:
    if ctx.subject is None:
        return "skip"
    here = any(r.role == "guardian" and r.school == ctx.place for r in ctx.subject.roles)
    elsewhere = any(
        r.role == "guardian" and r.school not in (None, ctx.place) and r.organisation == ctx.organisation.id
        for r in ctx.subject.roles
    )
    return ok(here or not elsewhere)


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@check("guardian.duplicate_profiles", G, SP, None, "private", "school_admin", ["000"], Texts(
    title=N_("Bara en profil för vårdnadshavaren"),
    user=N_("Det verkar finnas mer än en profil för dig hos skolan, och det kan hindra inloggningen. Skolan "
            "slår ihop dem."),
    fix=N_("Det finns flera vårdnadshavarprofiler som ser ut att vara samma person (samma personnummer, eller "
           "samma namn med andra kontaktuppgifter, ofta från kön). Slå ihop profilerna och behåll den med rätt "
           "kontaktuppgifter."),
), about_person=True)
def guardian_duplicate_profiles(ctx: Context) -> str:
    if ctx.subject is None:
        return "skip"
    me = ctx.person
    for other in ctx.subject.look_alikes:
        if other.id == me.id:
            continue
        if me.personnummer and other.personnummer == me.personnummer:
            return "fail"
        if _same_name(me.name, other.name) and set(other.emails) != set(me.emails):
            return "fail"
    return "pass"


@check("advice.autofill_old_password", ["guardian", "teacher"], None, ["password_login_failed"], "public",
       ADVICE, ["000"], Texts(
    title=N_("Webbläsaren fyller i ett gammalt lösenord"),
    user=N_("Webbläsaren kan fylla i ett gammalt sparat lösenord automatiskt. Radera det ifyllda och skriv "
            "lösenordet själv."),
))
def advice_autofill_old_password(ctx: Context) -> str:
    return "advice"


CHECKS = [
    guardian_invited,
    guardian_login_allowed,
    guardian_has_children,
    guardian_child_at_school,
    guardian_child_active,
    guardian_child_end_date,
    guardian_child_allows_guardian_login,
    guardian_adult_student_access,
    guardian_bankid_personnummer,
    guardian_bankid_temporary_personnummer,
    guardian_email_is_primary,
    guardian_profile_at_new_unit,
    guardian_duplicate_profiles,
    advice_autofill_old_password,
]
