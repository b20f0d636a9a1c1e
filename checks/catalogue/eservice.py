"""Municipal staff in an agency's e-service (SITHS card only)."""

from __future__ import annotations

from ..base import ADVICE, N_, Context, Texts, check, ok

AE = ["agency_eservice"]
BOTH = ["eservice_user", "eservice_admin"]


@check("eservice.user_authorised", ["eservice_user"], AE, None, "private", "eservice_admin", ["003"], Texts(
    title=N_("Behörighet som användare"),
    user=N_("Du har inte fått behörighet som användare i e-tjänsten. Kommunens administratör för e-tjänsten "
            "ger dig den."),
    fix=N_("Ge personen behörigheten användare i e-tjänsten för kommunen."),
), about_person=True)
def eservice_user_authorised(ctx: Context) -> str:
    if ctx.subject is None:
        return "skip"
    return ok(ctx.active_role_here("eservice_user"))


@check("eservice.single_role", BOTH, AE, None, "private", "agency_support", ["003"], Texts(
    title=N_("Bara en roll i e-tjänsten"),
    user=N_("Du har både rollen administratör och rollen användare i e-tjänsten, och det går inte. "
            "Myndighetens support hjälper kommunen att rätta det."),
    fix=N_("Personen har både administratörs- och användarroll i kommunen. Ta bort den ena rollen."),
), about_person=True)
def eservice_single_role(ctx: Context) -> str:
    if ctx.subject is None:
        return "skip"
    return ok(not (ctx.active_role_here("eservice_user") and ctx.active_role_here("eservice_admin")))


@check("eservice.hsa_id", ["eservice_admin"], AE, None, "private", "agency_support", ["003"], Texts(
    title=N_("HSA-id finns registrerat"),
    user=N_("Det finns inget HSA-id registrerat på dig. Det behövs för att registrera eller avregistrera en "
            "administratör."),
    fix=N_("Administratören saknar HSA-id. Be kommunen om HSA-id och registrera det."),
), about_person=True)
def eservice_hsa_id(ctx: Context) -> str:
    if ctx.subject is None:
        return "skip"
    return ok(bool(ctx.person.hsa_id))


@check("advice.siths_only", BOTH, AE, ["siths_failed", "wants_bankid"], "public", ADVICE, ["003"], Texts(
    title=N_("Bara SITHS-kort fungerar"),
    user=N_("E-tjänsten går bara att logga in i med SITHS-kort, aldrig med BankID. Kortet får du från "
            "kommunen; fråga kommunens administratör för e-tjänsten."),
))
def advice_siths_only(ctx: Context) -> str:
    return "advice"


@check("advice.try_other_computer", BOTH, AE, ["siths_failed", "password_login_failed"], "public", ADVICE,
       ["003"], Texts(
    title=N_("Prova en annan dator"),
    user=N_("Prova att logga in från en annan dator där någon annans inloggning fungerar. Går det inte där "
            "heller, kontakta myndighetens support."),
))
def advice_try_other_computer(ctx: Context) -> str:
    return "advice"


@check("advice.browser_cache_delay", ["eservice_admin"], AE, ["changes_not_visible"], "public", ADVICE,
       ["003"], Texts(
    title=N_("Ändringen syns senare i vissa webbläsare"),
    user=N_("Din ändring är sparad även om den inte syns ännu. Prova en annan webbläsare, eller logga ut och "
            "in igen."),
))
def advice_browser_cache_delay(ctx: Context) -> str:
    return "advice"


@check("advice.admin_change_by_email", ["eservice_admin"], AE, ["admin_change"], "public", "agency_support",
       ["003"], Texts(
    title=N_("Byte av administratör görs via myndighetens support"),
    user=N_("Att registrera, byta eller ta bort en administratör gör myndighetens support. Skicka HSA-id, "
            "namn och e-postadress. Minst en administratör måste finnas kvar."),
    fix=N_("Kommunen vill registrera, byta eller ta bort en administratör. Begär HSA-id, namn och "
           "e-postadress, och se till att minst en administratör finns kvar."),
))
def advice_admin_change_by_email(ctx: Context) -> str:
    return "fail"


CHECKS = [
    eservice_user_authorised,
    eservice_single_role,
    eservice_hsa_id,
    advice_siths_only,
    advice_try_other_computer,
    advice_browser_cache_delay,
    advice_admin_change_by_email,
]
