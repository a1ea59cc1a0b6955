from minxin.accounts.nav import NavItem

from .permissions import may_read_knowledge

NAV = [NavItem(65, "knowledge:list", "知识库", may_read_knowledge)]
