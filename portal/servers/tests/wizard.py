"""Driving the "Create server" wizard with the test client: each step posted as the page
would post it (the steps' names and fields of servers/create_forms.py)."""

CREATE = "/admin/servers/server/create/"
# formtools' management form prefix: the view class's name, in snake case.
CURRENT_STEP = "create_server_wizard-current_step"


def post_step(client, step, **fields):
    """Post `fields` of `step`; returns the response (the next step, or this one again
    with its errors, or the redirect after the last)."""
    data = {CURRENT_STEP: step, **{f"{step}-{name}": value for name, value in fields.items()}}
    return client.post(CREATE, data)


def start(client, tenant):
    """Choose the tenant (the GET that (re)starts the wizard); returns the first step."""
    return client.get(CREATE, {"tenant": tenant.pk})


def step_shown(response) -> str:
    return response.context["wizard"]["steps"].current


def choices(response, field) -> set[str]:
    """The values a step's picker offers."""
    return {str(value) for value, _label in response.context["form"].fields[field].choices if value}


def walk(client, tenant, *, source, flavor, network, name="web-1", access=None, advanced=None):
    """Every step up to the review, each asserted to lead to the next; returns the review."""
    start(client, tenant)
    plan = [
        ("source", {"tenant": tenant.pk, "instance_name": name, "source": source}),
        ("flavor", {"flavor": flavor}),
        ("network", {"network_uuid": network}),
        ("access", access or {}),
        ("advanced", advanced or {}),
    ]
    following = ["flavor", "network", "access", "advanced", "review"]
    for (step, fields), expected in zip(plan, following, strict=True):
        response = post_step(client, step, **fields)
        assert response.status_code == 200, step
        assert step_shown(response) == expected, response.context["form"].errors
    return response
