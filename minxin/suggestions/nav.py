"""The suggestions pages in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_review_suggestions

NAV = [NavItem(120, "suggestions:review_list", "建议征集", may_review_suggestions)]
