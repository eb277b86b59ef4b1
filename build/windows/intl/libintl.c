/* The proxy libintl (see libintl.h): no catalogues, every message is returned as given. */
#define BUILDING_LIBINTL
#include "libintl.h"

static char current_domain[64] = "messages";

char *gettext(const char *msgid) { return (char *)msgid; }
char *dgettext(const char *domain, const char *msgid) { (void)domain; return (char *)msgid; }
char *dcgettext(const char *domain, const char *msgid, int category)
{
    (void)domain; (void)category;
    return (char *)msgid;
}
char *ngettext(const char *msgid, const char *plural, unsigned long n)
{
    return (char *)(n == 1 ? msgid : plural);
}
char *dngettext(const char *domain, const char *msgid, const char *plural, unsigned long n)
{
    (void)domain;
    return (char *)(n == 1 ? msgid : plural);
}
char *dcngettext(const char *domain, const char *msgid, const char *plural, unsigned long n, int category)
{
    (void)domain; (void)category;
    return (char *)(n == 1 ? msgid : plural);
}
char *textdomain(const char *domain)
{
    if (domain != 0 && domain[0] != '\0') {
        unsigned i = 0;
        for (; domain[i] != '\0' && i < sizeof current_domain - 1; i++)
            current_domain[i] = domain[i];
        current_domain[i] = '\0';
    }
    return current_domain;
}
char *bindtextdomain(const char *domain, const char *dirname) { (void)domain; return (char *)dirname; }
char *bind_textdomain_codeset(const char *domain, const char *codeset) { (void)domain; return (char *)codeset; }
