from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sunshine.core.ratelimit import ratelimit
from sunshine.errors import ActionError
from sunshine.org.permissions import can

from . import actions
from .forms import CitizenRegistrationForm, EnterpriseRegistrationForm, LoginForm

REGISTRATION = {
    "citizen": (CitizenRegistrationForm, actions.register_citizen, _("个人注册")),
    "enterprise": (EnterpriseRegistrationForm, actions.register_enterprise, _("法人注册")),
}


@method_decorator(ratelimit("login"), name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
@ratelimit("register")
def register(request: HttpRequest, kind: str = "citizen") -> HttpResponse:
    if kind not in REGISTRATION:
        kind = "citizen"
    form_class, register_user, title = REGISTRATION[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("password1", "password2")}
        try:
            user = register_user(password=form.cleaned_data["password1"], **data)
        except ActionError as error:
            error.show_on(form)
        else:
            login(request, user, backend="sunshine.accounts.backends.LockoutBackend")
            messages.success(request, _("注册成功，欢迎使用阳光政务。"))
            return redirect("accounts:profile")
    return render(request, "accounts/register.html", {"form": form, "kind": kind, "title": title})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {"person": user, "show_pii": can(user, "accounts.view_pii", user)},
    )
