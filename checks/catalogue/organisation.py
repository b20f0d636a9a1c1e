"""The school and its organisation: public checks, evaluated first."""

from __future__ import annotations

from ..base import ADVICE, ANY, N_, Context, Texts, check, ok
from ..snapshot import NoticeInfo

ESERVICE_ROLES = ("eservice_user", "eservice_admin")


def active_notices(ctx: Context) -> list[NoticeInfo]:
    """Notices that apply to this case and are active now (from ≤ now < to)."""
    now = ctx.question.now
    org_id = ctx.organisation.id
    school = ctx.school.code if ctx.school else None
    found = []
    for notice in ctx.snapshot.notices:
        if notice.service is not None and notice.service != ctx.question.service:
            continue
        if notice.school is not None and notice.school != school:
            continue
        if notice.organisation is not None and notice.organisation != org_id:
            continue
        if notice.starts_at <= now and (notice.ends_at is None or now < notice.ends_at):
            found.append(notice)
    return found


@check("notice.active_disruption", ANY, ANY, ANY, "public", ADVICE, ["003"], Texts(
    title=N_("Pågående driftstörning"),
    user=N_("Det finns en känd driftstörning som kan hindra inloggningen. Vänta tills den är åtgärdad "
            "och försök sedan igen."),
    fix=N_("En driftstörning pågår. Kontrollera om ärendet löser sig när störningen är över innan du "
           "ändrar något i kontot."),
))
def notice_active_disruption(ctx: Context) -> str:
    return "advice" if active_notices(ctx) else "pass"


@check("school.account_management_external", ANY, ["school_platform", "learning_platform"], ANY,
       "public", "municipal_it", ["000"], Texts(
    title=N_("Konton hanteras i huvudmannens eget system"),
    user=N_("Skolan hanterar sina konton i ett eget inloggningssystem. Här kan vi inte se eller återställa "
            "ditt konto. Kontakta huvudmannens IT-support, som sköter kontona."),
    fix=N_("Kontot finns i huvudmannens egen kontohantering (egen inloggning eller SSO). Felsök och "
           "återställ det där; portalen kan inte se det."),
))
def school_account_management_external(ctx: Context) -> str:
    return ok(not ctx.external)


@check("school.guardian_login_enabled", ["guardian"], ["school_platform"], ANY, "public", "school_admin",
       ["000"], Texts(
    title=N_("Skolan tillåter inloggning för vårdnadshavare"),
    user=N_("Skolan har stängt av inloggningen för vårdnadshavare. Ingen vårdnadshavare kan logga in förrän "
            "skolans administratör slår på den igen."),
    fix=N_("Slå på inställningen Tillåt inloggning av vårdnadshavare under Adminpanelen, Konfiguration, "
           "Inställningar."),
))
def school_guardian_login_enabled(ctx: Context) -> str:
    return "skip" if ctx.school is None else ok(ctx.school.guardian_login)


@check("school.bankid_login_enabled", ["guardian", "teacher"], ["school_platform"],
       ["bankid_failed", "wants_bankid"], "public", "school_admin", ["000"], Texts(
    title=N_("Skolan tillåter inloggning med BankID"),
    user=N_("Skolan har inte slagit på inloggning med BankID. Logga in med e-post och lösenord tills vidare, "
            "eller be skolan slå på BankID."),
    fix=N_("Slå på inloggning med BankID i skolans inställningar om skolan vill erbjuda det."),
))
def school_bankid_login_enabled(ctx: Context) -> str:
    return "skip" if ctx.school is None else ok(ctx.school.bankid_login)


@check("eservice.agreement", ESERVICE_ROLES, ["agency_eservice"], ANY, "public", "agency_support",
       ["003"], Texts(
    title=N_("Kommunen har avtal om e-tjänsten"),
    user=N_("Kommunen har inget avtal om den här e-tjänsten ännu. Ingen i kommunen kan logga in förrän "
            "avtalet är klart."),
    fix=N_("Kommunen saknar avtal för e-tjänsten. Hjälp kommunen att teckna avtalet och bekräfta när det är "
           "registrerat."),
))
def eservice_agreement(ctx: Context) -> str:
    return ok(ctx.organisation.eservice_agreement)


@check("eservice.admin_appointed", ESERVICE_ROLES, ["agency_eservice"], ANY, "public", "agency_support",
       ["003"], Texts(
    title=N_("Kommunen har en administratör för e-tjänsten"),
    user=N_("Kommunen har ingen utsedd administratör för e-tjänsten. Utan administratör kan ingen få "
            "behörighet."),
    fix=N_("Kommunen saknar aktiv administratör för e-tjänsten. Registrera en administratör med HSA-id, "
           "namn och e-postadress enligt kommunens anmälan."),
))
def eservice_admin_appointed(ctx: Context) -> str:
    return ok(ctx.organisation.has_eservice_admin)


CHECKS = [
    notice_active_disruption,
    school_account_management_external,
    school_guardian_login_enabled,
    school_bankid_login_enabled,
    eservice_agreement,
    eservice_admin_appointed,
]
