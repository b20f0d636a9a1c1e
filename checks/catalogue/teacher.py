"""Teachers, mentors and students: the assessment portal and the learning platform."""

from __future__ import annotations

from ..base import N_, Context, Texts, check, ok, school_year_start
from ..snapshot import AccountInfo

T = ["teacher"]
AP = ["assessment_portal"]
LP = ["learning_platform"]
STAFF_AND_STUDENTS = ["teacher", "mentor", "student"]


def _assessment_accounts_here(ctx: Context, *, same_personnummer: bool) -> list[AccountInfo]:
    if ctx.subject is None:
        return []
    ids = {ctx.person.id}
    if same_personnummer and ctx.person.personnummer:
        ids |= {p.id for p in ctx.subject.look_alikes if p.personnummer == ctx.person.personnummer}
    return [
        a for a in ctx.subject.service_accounts
        if a.service == "assessment_portal" and a.school == ctx.place and a.person_id in ids
    ]


@check("teacher.assessment_registered", T, AP, None, "private", "exam_admin", ["002"], Texts(
    title=N_("Registrerad i bedömningsportalen på skolan"),
    user=N_("Du är inte registrerad i bedömningsportalen på den här skolan. Skolans provadministratör "
            "registrerar dig."),
    fix=N_("Registrera läraren för bedömningsportalen på skolan i behörighetssystemet."),
), about_person=True)
def teacher_assessment_registered(ctx: Context) -> str:
    if ctx.subject is None:
        return "skip"
    return ok(bool(_assessment_accounts_here(ctx, same_personnummer=False)))


@check("teacher.assessment_access_current", T, AP, None, "private", "exam_admin", ["002"], Texts(
    title=N_("Behörigheten gäller detta läsår"),
    user=N_("Behörigheten till bedömningsportalen gäller ett läsår i taget och har gått ut. Skolans "
            "provadministratör förnyar den; sedan fungerar samma användarnamn och lösenord igen."),
    fix=N_("Lärarens behörighet är från ett tidigare läsår. Återaktivera den i behörighetssystemet (efter "
           "1 augusti gäller den läsåret ut)."),
))
def teacher_assessment_access_current(ctx: Context) -> str:
    if ctx.account is None:
        return "skip"
    activated = ctx.account.activated_at
    return ok(activated is not None and activated >= school_year_start(ctx.today))


@check("teacher.account_inactive_code31", T, AP, ["account_inactive", "password_login_failed"], "private",
       "exam_admin", ["002"], Texts(
    title=N_("Kontot är inte inaktivt (felkod 31)"),
    user=N_("Ditt konto är inaktivt, vilket ger felkod 31. När provadministratören har aktiverat det igen "
            "fungerar samma användarnamn och lösenord."),
    fix=N_("Kontot är inaktivt (felkod 31). Återaktivera det i behörighetssystemet; användarnamn och "
           "lösenord är oförändrade."),
))
def teacher_account_inactive_code31(ctx: Context) -> str:
    return "skip" if ctx.account is None else ok(ctx.account.status == "active")


@check("teacher.duplicate_registration", T, AP, None, "private", "rector", ["002"], Texts(
    title=N_("Läraren är bara registrerad en gång"),
    user=N_("Du verkar vara registrerad två gånger på skolan. Rektor tar bort den extra registreringen."),
    fix=N_("Läraren är registrerad mer än en gång på skolan. Bara rektor kan ta bort konton: ta bort det "
           "konto vars första siffra är lägst."),
))
def teacher_duplicate_registration(ctx: Context) -> str:
    if ctx.account is None:
        return "skip"
    return ok(len(_assessment_accounts_here(ctx, same_personnummer=True)) <= 1)


@check("teacher.same_tenant", STAFF_AND_STUDENTS, LP, None, "private", "municipal_it", ["004"], Texts(
    title=N_("Kontot finns i skolans Microsoft-miljö"),
    user=N_("Ditt konto finns inte i skolans Microsoft-miljö, så lärplattformen känner inte igen dig. "
            "Huvudmannens IT-support rättar det."),
    fix=N_("Användaren finns inte i skolans Microsoft-tenant. Flytta eller skapa kontot i rätt tenant."),
))
def teacher_same_tenant(ctx: Context) -> str:
    if ctx.account is None or ctx.school_tenant is None:
        return "skip"
    tenant = ctx.person.tenant
    return ok(tenant is not None and tenant.strip().lower() == ctx.school_tenant.strip().lower())


@check("teacher.license", STAFF_AND_STUDENTS, LP, None, "private", "municipal_it", ["004"], Texts(
    title=N_("Rätt licens"),
    user=N_("Ditt konto saknar rätt licens för lärplattformen. Huvudmannens IT-support tilldelar den."),
    fix=N_("Tilldela rätt licens: lärarlicens för personal, elevlicens för elever."),
))
def teacher_license(ctx: Context) -> str:
    if ctx.account is None:
        return "skip"
    wanted = "student" if ctx.question.role == "student" else "teacher"
    role = ctx.asked_role
    return ok(role is not None and role.licence == wanted)


@check("teacher.role_at_school", T, LP, None, "private", "school_admin", ["004"], Texts(
    title=N_("Lärarroll på skolan"),
    user=N_("Du har ingen aktiv lärarroll på den här skolan. Skolans administratör lägger till den."),
    fix=N_("Ge personen rollen Lärare på skolan (eller återställ en arkiverad roll)."),
), about_person=True)
def teacher_role_at_school(ctx: Context) -> str:
    if ctx.subject is None:
        return "skip"
    return ok(ctx.active_role_here("teacher"))


@check("teacher.group_owner", T, LP, ["no_access_to_content"], "private", "school_admin", ["004"], Texts(
    title=N_("Äger en kopplad undervisningsgrupp"),
    user=N_("Du är inte ägare till någon kopplad undervisningsgrupp på skolan, så det finns inget innehåll "
            "att visa. Skolans administratör kopplar dig."),
    fix=N_("Gör läraren till ägare av rätt undervisningsgrupp och se till att gruppen är kopplad."),
))
def teacher_group_owner(ctx: Context) -> str:
    if ctx.account is None:
        return "skip"
    return ok(any(ctx.person.id in g.owners for g in ctx.groups_here(["teaching"])))


@check("teacher.course_plan_for_assessments", T, LP, ["no_access_to_content"], "private", "school_admin",
       ["004"], Texts(
    title=N_("Kursplan och ämne för bedömningar"),
    user=N_("För att se bedömningar behöver gruppen en kursplan och du vara kopplad till dess ämne. "
            "Skolans administratör ordnar det."),
    fix=N_("Lägg in kursplan på gruppen och koppla läraren till gruppens ämne i lärarrollen."),
))
def teacher_course_plan_for_assessments(ctx: Context) -> str:
    if ctx.account is None:
        return "skip"
    owned = [g for g in ctx.groups_here(["teaching"]) if ctx.person.id in g.owners]
    if not owned:
        return "skip"
    subjects = {s for r in ctx.roles_here("teacher") for s in r.subjects}
    return ok(any(g.course_plan and g.subject in subjects for g in owned))


@check("mentor.mentor_group_owner", ["mentor"], LP, None, "private", "school_admin", ["004"], Texts(
    title=N_("Mentor med egen mentorsgrupp"),
    user=N_("Du behöver mentorsrollen på skolan och vara ägare till en kopplad mentorsgrupp. Skolans "
            "administratör ordnar det."),
    fix=N_("Ge personen rollen Mentor på skolan och gör hen till ägare av en kopplad mentorsgrupp."),
))
def mentor_mentor_group_owner(ctx: Context) -> str:
    if ctx.account is None:
        return "skip"
    owns = any(ctx.person.id in g.owners for g in ctx.groups_here(["mentor"]))
    return ok(ctx.active_role_here("mentor") and owns)


@check("student.group_member", ["student"], LP, None, "private", "school_admin", ["004"], Texts(
    title=N_("Elev i en kopplad grupp"),
    user=N_("Du behöver elevrollen på skolan och vara med i en kopplad grupp för att se något. Skolans "
            "administratör lägger till dig."),
    fix=N_("Ge eleven rollen Elev på skolan och lägg till eleven i rätt kopplade undervisnings- eller "
           "mentorsgrupp."),
))
def student_group_member(ctx: Context) -> str:
    if ctx.account is None:
        return "skip"
    member = any(ctx.person.id in g.members for g in ctx.groups_here(["teaching", "mentor"]))
    return ok(ctx.active_role_here("student") and member)


CHECKS = [
    teacher_assessment_registered,
    teacher_assessment_access_current,
    teacher_account_inactive_code31,
    teacher_duplicate_registration,
    teacher_same_tenant,
    teacher_license,
    teacher_role_at_school,
    teacher_group_owner,
    teacher_course_plan_for_assessments,
    mentor_mentor_group_owner,
    student_group_member,
]
