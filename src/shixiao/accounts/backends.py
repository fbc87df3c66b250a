from django.contrib.auth.backends import BaseBackend

from .roles import ROLE_PERMISSIONS


class RoleBackend(BaseBackend):
    """Grants the permissions of the user's role (accounts.roles). Authenticates nobody."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(ROLE_PERMISSIONS.get(user_obj.role, ()))

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)
