"""Consultations in the staff navigation."""

from minxin.accounts.nav import NavItem

from .permissions import may_see_consultations

NAV = [NavItem(108, "consultation:list", "征求意见", may_see_consultations)]
