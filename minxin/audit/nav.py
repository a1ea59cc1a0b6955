"""The audit log in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_read_audit

NAV = [NavItem(190, "audit:list", "审计日志", may_read_audit)]
