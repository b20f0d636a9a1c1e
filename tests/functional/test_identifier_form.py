"""The final POST reads the identifier without building IdentifierForm when the form would accept it
(portal/public/forms.py, `IdentifierForm.accepted`): it must accept exactly what the form accepts, and
hand anything else to the form, which says on the page why."""

from __future__ import annotations

from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.public.forms import IdentifierForm

posted = st.one_of(st.text(max_size=300), st.sampled_from(["", " ", "a" * 254, "a" * 255, "anna@exempel.se"]))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(values=st.lists(posted, max_size=2))
def test_what_is_read_without_the_form_is_what_the_form_accepts(app, values) -> None:
    formdata = MultiDict([("identifier", value) for value in values])
    with app.test_request_context("/hjalp/uppgift", method="POST", data=formdata):
        g.csrf_valid = True  # the CSRF check before the view has passed
        form = IdentifierForm()
        from_form = form.identifier.data if form.validate_on_submit() else None
        quick = IdentifierForm.accepted(formdata, csrf_checked=True)
    assert quick == from_form


def test_nothing_is_read_without_the_form_unless_the_csrf_check_passed(app) -> None:
    assert IdentifierForm.accepted(MultiDict({"identifier": "anna@exempel.se"}), csrf_checked=False) is None
