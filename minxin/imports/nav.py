"""The imports pages in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_import

NAV = [NavItem(30, "imports:index", "批量导入", may_import)]
