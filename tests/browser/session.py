"""Signing in, as every browser test does it."""

from playwright.sync_api import Page, expect


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    """Sign in afresh (cookies cleared, whether or not a 退出 before it has finished) and wait
    for the signed-in page: the next step must not race the login."""
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    signed_in = page.get_by_role("link", name="退出").or_(page.get_by_role("button", name="退出"))
    expect(signed_in).to_be_visible()
