from minxin.accounts.nav import NavItem

from .permissions import may_list_exemptions

# Beside the scorecards (考核排名, 81) the supervision office reads.
NAV = [NavItem(83, "exemptions:list", "考核申诉", may_list_exemptions)]
