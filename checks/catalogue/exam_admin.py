"""Exam administrators (provadministratörer) in the permission system."""

from __future__ import annotations

from ..base import ADVICE, N_, Context, Texts, check, ok

EA = ["exam_admin"]
EP = ["eservice_permissions"]


@check("exam_admin.registered", EA, EP, None, "private", "rector", ["002"], Texts(
    title=N_("Registrerad som provadministratör på skolan"),
    user=N_("Du är inte registrerad som provadministratör på den här skolan. Rektor registrerar dig."),
    fix=N_("Registrera personen som provadministratör för skolan i behörighetssystemet."),
), about_person=True)
def exam_admin_registered(ctx: Context) -> str:
    if ctx.subject is None:
        return "skip"
    return ok(any(
        a.service == "eservice_permissions" and a.school == ctx.place and a.person_id == ctx.person.id
        for a in ctx.subject.service_accounts
    ))


@check("exam_admin.account_inactive_code31", EA, EP, ["account_inactive", "password_login_failed"],
       "private", "rector", ["002"], Texts(
    title=N_("Behörigheten är aktiv (felkod 31)"),
    user=N_("Din behörighet är tidsbegränsad och har blivit inaktiv. Rektor aktiverar den igen; sedan "
            "fungerar samma användarnamn, lösenord och matris."),
    fix=N_("Provadministratörens konto är inaktivt (felkod 31). Återaktivera det; användarnamn, lösenord och "
           "matris är oförändrade."),
))
def exam_admin_account_inactive_code31(ctx: Context) -> str:
    return "skip" if ctx.account is None else ok(ctx.account.status == "active")


@check("exam_admin.credentials_from_rector", EA, EP, ["lost_credentials", "forgot_password"], "private",
       "rector", ["002"], Texts(
    title=N_("Nytt lösenord eller ny matris från rektor"),
    user=N_("Du kan inte återställa lösenord eller matris själv. Rektor ger dig ett nytt lösenord eller en "
            "ny matris; användarnamnet är detsamma."),
    fix=N_("Ge provadministratören ett nytt lösenord och/eller en ny inloggningsmatris. Användarnamnet "
           "ändras inte."),
))
def exam_admin_credentials_from_rector(ctx: Context) -> str:
    return "fail" if ctx.account is not None else "skip"


@check("advice.exam_admin_wrong_portal", EA, ["assessment_portal"], None, "public", ADVICE, ["002"], Texts(
    title=N_("Provadministratörens inloggning gäller behörighetssystemet"),
    user=N_("Inloggningen som provadministratör fungerar bara i behörighetssystemet. Vill du läsa "
            "bedömningsstöd, registrera dig själv som lärare där och logga in som lärare."),
))
def advice_exam_admin_wrong_portal(ctx: Context) -> str:
    return "advice"


@check("advice.matrix_example", EA, EP, ["matrix_problem", "password_login_failed"], "public", ADVICE,
       ["002"], Texts(
    title=N_("Matrisen på skärmen är ett exempel"),
    user=N_("Matrisen som visas på inloggningssidan är bara ett exempel. Läs av de tre koordinaterna i din "
            "egen matris."),
))
def advice_matrix_example(ctx: Context) -> str:
    return "advice"


@check("advice.only_rector_deletes", EA, EP, ["cannot_delete_account", "duplicate_account"], "public",
       "rector", ["002"], Texts(
    title=N_("Bara rektor tar bort konton"),
    user=N_("Som provadministratör kan du göra allt som rektor kan, utom att ta bort konton. Be rektor ta "
            "bort kontot."),
    fix=N_("Provadministratören behöver hjälp att ta bort ett konto. Bara rektor kan ta bort konton; vid "
           "dubbla konton tas det bort vars första siffra är lägst."),
))
def advice_only_rector_deletes(ctx: Context) -> str:
    return "fail"


@check("advice.yearly_reactivation", ["exam_admin", "teacher"], ["assessment_portal", "eservice_permissions"],
       ["account_inactive"], "public", ADVICE, ["002"], Texts(
    title=N_("Behörigheten förnyas varje läsår"),
    user=N_("Varje lärares behörighet gäller högst ett läsår och förnyas efter 1 augusti. Ett inaktivt konto "
            "är därför vanligt i början av läsåret."),
))
def advice_yearly_reactivation(ctx: Context) -> str:
    return "advice"


@check("advice.new_rector_no_effect", ["exam_admin", "teacher"], None, ["new_rector"], "public", ADVICE,
       ["002"], Texts(
    title=N_("Ny rektor ändrar inga konton"),
    user=N_("Att skolan får en ny rektor ändrar inget befintligt konto. Dina inloggningsuppgifter gäller som "
            "förut."),
))
def advice_new_rector_no_effect(ctx: Context) -> str:
    return "advice"


CHECKS = [
    exam_admin_registered,
    exam_admin_account_inactive_code31,
    exam_admin_credentials_from_rector,
    advice_exam_admin_wrong_portal,
    advice_matrix_example,
    advice_only_rector_deletes,
    advice_yearly_reactivation,
    advice_new_rector_no_effect,
]
