from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm

from pdca.accounts.jobs import queue_reset_mail
from pdca.accounts.models import User
from pdca.accounts.services import MAX_TOKEN_DAYS, normalize_email
from pdca.core.forms import StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class ProfileForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(max_length=150, required=False, label="Full name")


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. 'nightly export'")
    expires_in_days = forms.TypedChoiceField(
        label="Expires",
        coerce=int,
        empty_value=None,
        required=False,
        initial=90,
        choices=[
            (30, "in 30 days"),
            (90, "in 90 days"),
            (MAX_TOKEN_DAYS, "in a year"),
            ("", "never"),
        ],
    )


class PasswordChangeForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(StyledFormMixin, auth_forms.PasswordResetForm):
    def get_users(self, email):
        """Active people with this address, including those who have no password yet.

        Django leaves out accounts without a usable password, but pdca creates people without
        one (`pdca createuser --no-password`, and accounts made before invitations let people
        choose their own) and a reset is how they choose it.
        """
        return User.objects.filter(email__iexact=normalize_email(email), is_active=True)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Queue the mail instead of sending it here: a job sends it, making the link's token
        itself, so that neither a slow mail server nor the queue ever holds the token."""
        queue_reset_mail(
            context["user"],
            domain=context["domain"],
            site_name=context["site_name"],
            protocol=context["protocol"],
            subject_template=subject_template_name,
            body_template=email_template_name,
            html_template=html_email_template_name,
        )


class SetPasswordForm(StyledFormMixin, auth_forms.SetPasswordForm):
    pass
