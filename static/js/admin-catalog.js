// Never loaded by a page: it lists the strings of Django admin's own scripts that Django's Bulgarian
// catalog lacks (the selector of users' groups and permissions, SelectFilter2.js in Django 5.2), so that
// `make messages` keeps their translations in locale/*/LC_MESSAGES/djangojs.po, which the admin's
// JavaScript catalog (jsi18n) serves next to Django's own.
const gettext_noop = (text) => text;
export const ADMIN_STRINGS = [
  gettext_noop("(click to clear)"),
  gettext_noop('Choose %s by selecting them and then select the "Choose" arrow button.'),
  gettext_noop("Choose all %s"),
  gettext_noop("Choose selected %s"),
  gettext_noop('Remove %s by selecting them and then select the "Remove" arrow button.'),
  gettext_noop("Remove all %s"),
  gettext_noop("Remove selected %s"),
];
