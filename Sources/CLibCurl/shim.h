// libcurl for Swift: curl_easy_setopt and curl_easy_getinfo are variadic, which
// Swift cannot call, so each type of argument gets a typed wrapper.
#include <curl/curl.h>

typedef size_t (*cc_read_function)(char *buffer, size_t size, size_t count, void *context);

static inline CURLcode cc_setopt_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode cc_setopt_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode cc_setopt_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode cc_setopt_read_function(CURL *curl, cc_read_function function) {
    return curl_easy_setopt(curl, CURLOPT_READFUNCTION, function);
}
static inline CURLcode cc_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}
