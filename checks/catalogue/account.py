"""Every account: the person's login account on the chosen service."""

from __future__ import annotations

from ..base import ADVICE, ANY, DEFAULT, N_, REMEDY, Context, Texts, check, ok


@check("account.exists", ANY, ANY, ANY, "private", DEFAULT, ["000"], Texts(
    title=N_("Det finns ett konto"),
    user=N_("Vi hittade inget konto med den roll du valde på den här skolan för de uppgifter du skrev. "
            "Kontrollera uppgiften, eller be skolan lägga upp dig."),
    fix=N_("Det finns inget konto som matchar uppgiften med den här rollen på skolan. Kontrollera om "
           "personen finns under en annan uppgift, annars lägg upp personen och kontot."),
))
def account_exists(ctx: Context) -> str:
    return ok(ctx.account is not None)


@check("account.active", ANY, ANY, ANY, "private", DEFAULT, ["000"], Texts(
    title=N_("Kontot är aktivt"),
    user=N_("Ditt konto är inte aktivt just nu. Den som ansvarar för kontot behöver aktivera det."),
    fix=N_("Sätt kontots status till Aktiv."),
))
def account_active(ctx: Context) -> str:
    return "skip" if ctx.account is None else ok(ctx.account.status == "active")


@check("account.locked", ANY, ANY, ANY, "private", DEFAULT, ["001"], Texts(
    title=N_("Kontot är inte spärrat"),
    user=N_("Ditt konto är spärrat för säkerhets skull. Därför skickar vi ingen länk för nytt lösenord. "
            "Skolan hör av sig när spärren är prövad."),
    fix=N_("Kontot är spärrat på grund av misstänkt missbruk. Ta reda på vad som hänt och häv spärren först "
           "när du vet att kontot är säkert."),
))
def account_locked(ctx: Context) -> str:
    return "skip" if ctx.account is None else ok(not ctx.account.locked)


@check("account.role_archived", ANY, ANY, ANY, "private", DEFAULT, ["001"], Texts(
    title=N_("Rollen på skolan är inte arkiverad"),
    user=N_("Din roll på skolan är arkiverad, så kontot ger ingen åtkomst där. Skolan behöver återställa "
            "rollen om du fortfarande ska ha den."),
    fix=N_("Personens roll på skolan är arkiverad. Återställ rollen om personen ska ha kvar den."),
))
def account_role_archived(ctx: Context) -> str:
    if ctx.account is None or ctx.asked_role is None:
        return "skip"
    return ok(not ctx.asked_role.archived)


@check("account.login_portal", ANY, ["school_platform"], ["password_login_failed", "forgot_password"],
       "private", "municipal_it", ["001"], Texts(
    title=N_("Inloggning med lösenord är tillåten"),
    user=N_("Ditt konto loggar in via huvudmannens gemensamma inloggning, inte med ett eget lösenord. "
            "Välj den inloggningen på startsidan."),
    fix=N_("Kontots inloggningsportal är bara Annat system, så lösenordsinloggning är avstängd. Lägg till "
           "lokal inloggning om personen ska använda lösenord, annars hänvisa till huvudmannens SSO."),
))
def account_login_portal(ctx: Context) -> str:
    return "skip" if ctx.account is None else ok("local" in ctx.account.login_portals)


@check("account.must_change_password", ANY, ANY, ["password_login_failed"], "private", ADVICE, ["001"], Texts(
    title=N_("Lösenordet ska bytas vid nästa inloggning"),
    user=N_("Du kommer att få välja ett nytt lösenord direkt när du loggar in. Logga in med ditt nuvarande "
            "lösenord och följ anvisningen."),
))
def account_must_change_password(ctx: Context) -> str:
    if ctx.account is None:
        return "skip"
    return "advice" if ctx.account.must_change_password else "pass"


@check("account.email_registered", ANY, ANY, ANY, "private", DEFAULT, ["001"], Texts(
    title=N_("Kontot har en e-postadress"),
    user=N_("Kontot saknar e-postadress, så vi kan inte skicka någon länk. Skolan lägger in en adress åt dig."),
    fix=N_("Lägg in personens e-postadress som E-postadress 1 på kontot."),
))
def account_email_registered(ctx: Context) -> str:
    return "skip" if ctx.account is None else ok(bool(ctx.person.emails))


@check("account.password_reset", ["guardian", "teacher", "student", "mentor"],
       ["school_platform", "learning_platform"], ["forgot_password", "password_login_failed"],
       "private", REMEDY, ["000", "001"], Texts(
    title=N_("Länk för nytt lösenord"),
    user=N_("Du kan välja ett nytt lösenord själv. Öppna länken i det här meddelandet; den gäller en kort "
            "stund och bara en gång."),
))
def account_password_reset(ctx: Context) -> str:
    # The engine evaluates this row last, once it knows whether another check failed with a route.
    account = ctx.account
    sendable = (
        account is not None
        and account.status == "active"
        and not account.locked
        and "local" in account.login_portals
        and bool(ctx.person.emails)
        and not ctx.routed_failure
    )
    return "pass" if sendable else "skip"


CHECKS = [
    account_exists,
    account_active,
    account_locked,
    account_role_archived,
    account_login_portal,
    account_must_change_password,
    account_email_registered,
    account_password_reset,
]
