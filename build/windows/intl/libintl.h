/* A proxy libintl for the Windows natives: GLib needs gettext's API, xgapp needs no translations from GLib.
 * Every call returns the message it was given (the C locale), like GNOME's proxy-libintl.
 * format_arg tells the compiler that the result is a format string when the argument is (GLib builds with
 * -Werror=format-nonliteral). */
#ifndef XGAPP_PROXY_LIBINTL_H
#define XGAPP_PROXY_LIBINTL_H

#include <locale.h>

/* Windows' locale.h has no LC_MESSAGES; gettext's libintl.h defines it with this value. */
#ifndef LC_MESSAGES
#define LC_MESSAGES 1729
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(BUILDING_LIBINTL)
#define LIBINTL_API __declspec(dllexport)
#else
#define LIBINTL_API __declspec(dllimport)
#endif

LIBINTL_API char *gettext(const char *msgid) __attribute__((format_arg(1)));
LIBINTL_API char *dgettext(const char *domain, const char *msgid) __attribute__((format_arg(2)));
LIBINTL_API char *dcgettext(const char *domain, const char *msgid, int category) __attribute__((format_arg(2)));
LIBINTL_API char *ngettext(const char *msgid, const char *plural, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));
LIBINTL_API char *dngettext(const char *domain, const char *msgid, const char *plural, unsigned long n)
    __attribute__((format_arg(2))) __attribute__((format_arg(3)));
LIBINTL_API char *dcngettext(const char *domain, const char *msgid, const char *plural, unsigned long n,
                             int category) __attribute__((format_arg(2))) __attribute__((format_arg(3)));
LIBINTL_API char *textdomain(const char *domain);
LIBINTL_API char *bindtextdomain(const char *domain, const char *dirname);
LIBINTL_API char *bind_textdomain_codeset(const char *domain, const char *codeset);

#ifdef __cplusplus
}
#endif

#endif
