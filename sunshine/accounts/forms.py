from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .backends import is_locked
from .validators import validate_credit_code, validate_id_number, validate_mobile

User = get_user_model()


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("用户名或手机号码"), max_length=150)
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续失败多次后账户将被暂时锁定。"),
        "inactive": _("该账户已停用。"),
        "locked": _("登录失败次数过多，账户已锁定，请于 %(until)s 后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            user = User.objects.filter(username=username).first()
            if user is not None and is_locked(user):
                until = timezone.localtime(user.locked_until).strftime("%H:%M")
                raise forms.ValidationError(
                    self.error_messages["locked"], code="locked", params={"until": until}
                )
        return super().clean()


class _PasswordPair(forms.Form):
    password1 = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("确认密码"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif first:
            probe = User(username=cleaned.get("mobile", ""), real_name=cleaned.get("real_name", ""))
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class CitizenRegistrationForm(_PasswordPair):
    real_name = forms.CharField(label=_("真实姓名"), max_length=64)
    id_number = forms.CharField(
        label=_("居民身份号码"), max_length=18, min_length=18, validators=[validate_id_number]
    )
    mobile = forms.CharField(label=_("手机号码"), max_length=11, validators=[validate_mobile])
    field_order = ["real_name", "id_number", "mobile", "password1", "password2"]


class EnterpriseRegistrationForm(_PasswordPair):
    organisation_name = forms.CharField(label=_("单位名称"), max_length=128)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        min_length=18,
        validators=[validate_credit_code],
    )
    real_name = forms.CharField(label=_("经办人姓名"), max_length=64)
    mobile = forms.CharField(label=_("经办人手机号码"), max_length=11, validators=[validate_mobile])
    field_order = [
        "organisation_name",
        "credit_code",
        "real_name",
        "mobile",
        "password1",
        "password2",
    ]
