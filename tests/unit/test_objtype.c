/*
 * test_objtype.c - obj_classify() on real OpenSSL-made objects
 * (tests/data/obj, made by make.sh there) and on mislabelled, truncated
 * and hostile bodies.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "tests/unit/unit.h"

/* Reads dir/name into a malloc'd buffer; NULL if absent. */
static uint8_t *
slurp(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

static const char *
data_dir(void)
{
	static char dir[1024];
	const char *top = getenv("top_srcdir");

	snprintf(dir, sizeof(dir), "%s/tests/data/obj", top ? top : ".");
	return dir;
}

static void
expect_file(const char *name, const char *ct, const char *url, bool is_req,
    enum obj_type want)
{
	size_t len = 0;
	uint8_t *buf = slurp(data_dir(), name, &len);

	CHECK(buf != NULL);
	if (buf == NULL) {
		fprintf(stderr, "missing %s/%s\n", data_dir(), name);
		return;
	}
	if (obj_classify(buf, len, ct, url, is_req) != want)
		fprintf(stderr, "%s: want %s, have %s\n", name,
		    obj_type_name(want),
		    obj_type_name(obj_classify(buf, len, ct, url, is_req)));
	CHECK_INT(obj_classify(buf, len, ct, url, is_req), want);
	free(buf);
}

static void
test_real_objects(void)
{
	expect_file("ocsp-req.der", NULL, NULL, true, OBJ_OCSP_REQUEST);
	expect_file("ocsp-resp.der", NULL, NULL, false, OBJ_OCSP_RESPONSE);
	expect_file("crl.der", NULL, NULL, false, OBJ_CRL);
	expect_file("crl.pem", NULL, NULL, false, OBJ_CRL);
	expect_file("ca.der", NULL, NULL, false, OBJ_CERT);
	expect_file("ca.pem", NULL, NULL, false, OBJ_CERT);
	expect_file("leaf.der", NULL, NULL, false, OBJ_CERT);
	expect_file("cert-v1.der", NULL, NULL, false, OBJ_CERT);
	expect_file("certs.p7c", NULL, NULL, false, OBJ_PKCS7);
	expect_file("certs.p7b.pem", NULL, NULL, false, OBJ_PKCS7);
	expect_file("ts-query.der", NULL, NULL, true, OBJ_TS_QUERY);
	expect_file("ts-reply.der", NULL, NULL, false, OBJ_TS_REPLY);
}

/* Servers mislabel: the content decides. */
static void
test_content_wins(void)
{
	expect_file("ocsp-resp.der", "text/plain", "/x.crl", false,
	    OBJ_OCSP_RESPONSE);
	expect_file("crl.der", "application/octet-stream", "/a.bin", false,
	    OBJ_CRL);
	expect_file("ca.der", "application/pkix-crl", NULL, false, OBJ_CERT);
	expect_file("certs.p7c", "application/octet-stream", "/ca.crt", false,
	    OBJ_PKCS7);
}

static void
test_labels(void)
{
	static const uint8_t html[] = "<html>404</html>";
	size_t n = sizeof(html) - 1;

	CHECK_INT(obj_classify(html, n, "Application/PKIX-CRL; charset=x",
	    NULL, false), OBJ_CRL);
	CHECK_INT(obj_classify(html, n, "application/ocsp-response", NULL,
	    false), OBJ_OCSP_RESPONSE);
	CHECK_INT(obj_classify(html, n, "application/ocsp-request", NULL,
	    true), OBJ_OCSP_REQUEST);
	CHECK_INT(obj_classify(html, n, "application/x-pkcs7-crl", NULL,
	    false), OBJ_CRL);
	CHECK_INT(obj_classify(html, n, "application/x-x509-ca-cert", NULL,
	    false), OBJ_CERT);
	CHECK_INT(obj_classify(html, n, "application/pkix-cert", NULL,
	    false), OBJ_CERT);
	CHECK_INT(obj_classify(html, n, "application/x-pkcs7-certificates",
	    NULL, false), OBJ_PKCS7);
	CHECK_INT(obj_classify(html, n, "application/pkcs7-mime", NULL,
	    false), OBJ_PKCS7);
	CHECK_INT(obj_classify(html, n, "application/timestamp-query", NULL,
	    true), OBJ_TS_QUERY);
	CHECK_INT(obj_classify(html, n, "application/timestamp-reply", NULL,
	    false), OBJ_TS_REPLY);
	CHECK_INT(obj_classify(html, n, "application/timestamp-response",
	    NULL, false), OBJ_TS_REPLY);
	/* a prefix of a known type is another type */
	CHECK_INT(obj_classify(html, n, "application/pkix-crlx", NULL,
	    false), OBJ_OTHER);
	CHECK_INT(obj_classify(html, n, "text/html", "/a/b.CRL?x=1.crt",
	    false), OBJ_CRL);
	CHECK_INT(obj_classify(html, n, NULL, "/ca.cer", false), OBJ_CERT);
	CHECK_INT(obj_classify(html, n, NULL, "/ca.der#f", false), OBJ_CERT);
	CHECK_INT(obj_classify(html, n, NULL, "/b.p7c", false), OBJ_PKCS7);
	CHECK_INT(obj_classify(html, n, NULL, "/b.P7B", false), OBJ_PKCS7);
	CHECK_INT(obj_classify(html, n, NULL, "/crl", false), OBJ_OTHER);
	/* the URL describes the response, not a request body */
	CHECK_INT(obj_classify(html, n, NULL, "/x.crl", true), OBJ_OTHER);
	CHECK_INT(obj_classify(html, n, NULL, NULL, false), OBJ_OTHER);
	CHECK_INT(obj_classify(html, 0, "application/pkix-crl", NULL, false),
	    OBJ_NONE);
	CHECK_INT(obj_classify(NULL, 0, NULL, NULL, false), OBJ_NONE);
}

/* A CRL cut by the body cap still classifies once its thisUpdate is in. */
static void
test_truncated(void)
{
	size_t len = 0;
	uint8_t *buf = slurp(data_dir(), "crl.der", &len);

	CHECK(buf != NULL && len > 120);
	if (buf == NULL)
		return;
	CHECK_INT(obj_classify(buf, 120, NULL, NULL, false), OBJ_CRL);
	CHECK_INT(obj_classify(buf, 20, NULL, NULL, false), OBJ_OTHER);
	CHECK_INT(obj_classify(buf, 20, NULL, "/x.crl", false), OBJ_CRL);
	free(buf);
}

static void
test_shapes(void)
{
	/* version 1 CRL: no version, alg first, then Name and Time */
	static const uint8_t crl_v1[] = {
		0x30, 0x1a, 0x30, 0x18, 0x30, 0x03, 0x06, 0x01, 0x00,
		0x30, 0x00, 0x17, 0x0d, '2', '5', '0', '1', '0', '1', '0', '0',
		'0', '0', '0', '0', 'Z', 0x00,
	};
	/* unsuccessful OCSP response: status only */
	static const uint8_t resp_err[] = { 0x30, 0x03, 0x0a, 0x01, 0x06 };
	/* lengths that lie: huge, indefinite, too many octets, high tag */
	static const uint8_t huge[] = { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff,
	    0x0a, 0x01, 0x00 };
	static const uint8_t indef[] = { 0x30, 0x80, 0x0a, 0x01, 0x00 };
	static const uint8_t many[] = { 0x30, 0x85, 1, 0, 0, 0, 0, 0x0a, 1, 0 };
	static const uint8_t hightag[] = { 0x30, 0x03, 0x1f, 0x01, 0x00 };
	static const uint8_t ts_v2[] = { 0x30, 0x05, 0x02, 0x01, 0x02, 0x30,
	    0x00 };

	CHECK_INT(obj_classify(crl_v1, sizeof(crl_v1), NULL, NULL, false),
	    OBJ_CRL);
	CHECK_INT(obj_classify(resp_err, sizeof(resp_err), NULL, NULL, false),
	    OBJ_OCSP_RESPONSE);
	CHECK_INT(obj_classify(huge, sizeof(huge), NULL, NULL, false),
	    OBJ_OCSP_RESPONSE);
	CHECK_INT(obj_classify(indef, sizeof(indef), NULL, NULL, false),
	    OBJ_OTHER);
	CHECK_INT(obj_classify(many, sizeof(many), NULL, NULL, false),
	    OBJ_OTHER);
	CHECK_INT(obj_classify(hightag, sizeof(hightag), NULL, NULL, false),
	    OBJ_OTHER);
	CHECK_INT(obj_classify(ts_v2, sizeof(ts_v2), NULL, NULL, true),
	    OBJ_OTHER);
}

/* The cryptography project's OCSP vectors, when installed. */
static void
test_vectors(void)
{
	static const struct {
		const char	*name;
		enum obj_type	 t;
	} v[] = {
		{ "req-sha1.der", OBJ_OCSP_REQUEST },
		{ "req-multi-sha1.der", OBJ_OCSP_REQUEST },
		{ "req-ext-nonce.der", OBJ_OCSP_REQUEST },
		{ "resp-revoked.der", OBJ_OCSP_RESPONSE },
		{ "resp-unauthorized.der", OBJ_OCSP_RESPONSE },
		{ "ocsp-army.deps.mil-resp.der", OBJ_OCSP_RESPONSE },
	};
	char dir[512];
	size_t i, len;
	uint8_t *buf;
	FILE *p;

	/* the package says where it lives; nothing of this machine is assumed */
	/* a pyenv python3 first on PATH may lack the Debian package */
	p = popen("for py in python3 /usr/bin/python3; do $py -c 'import "
	    "cryptography_vectors, os; print(os.path.dirname("
	    "cryptography_vectors.__file__))' 2>/dev/null && break; done",
	    "r");
	if (p == NULL || fgets(dir, sizeof(dir), p) == NULL) {
		printf("skip test_vectors: python3 cryptography_vectors absent\n");
		if (p != NULL)
			pclose(p);
		return;
	}
	pclose(p);
	dir[strcspn(dir, "\n")] = '\0';
	if (strlen(dir) + sizeof("/x509/ocsp") > sizeof(dir))
		return;
	strcat(dir, "/x509/ocsp");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if ((buf = slurp(dir, v[i].name, &len)) == NULL) {
			printf("skip %s: cryptography vectors absent\n",
			    v[i].name);
			continue;
		}
		CHECK_INT(obj_classify(buf, len, NULL, NULL,
		    v[i].t == OBJ_OCSP_REQUEST), v[i].t);
		free(buf);
	}
}

static void
test_names(void)
{
	CHECK_STR(obj_type_name(OBJ_OCSP_REQUEST), "ocsp_request");
	CHECK_STR(obj_type_name(OBJ_OCSP_RESPONSE), "ocsp_response");
	CHECK_STR(obj_type_name(OBJ_CRL), "crl");
	CHECK_STR(obj_type_name(OBJ_CERT), "cert");
	CHECK_STR(obj_type_name(OBJ_PKCS7), "pkcs7");
	CHECK_STR(obj_type_name(OBJ_TS_QUERY), "ts_query");
	CHECK_STR(obj_type_name(OBJ_TS_REPLY), "ts_reply");
	CHECK_STR(obj_type_name(OBJ_OTHER), "other");
	CHECK_STR(obj_type_name(OBJ_NONE), "none");
}

/* What a CryptoAPI client was served instead: the first bytes' guess. */
static void
test_body_magic(void)
{
	static const uint8_t bom_ps1[] = "\xef\xbb\xbfWrite-Output 1\r\n";
	uint8_t text[OBJ_MAGIC_SCAN + 1];

	CHECK_STR(obj_body_magic((const uint8_t *)"MZ", 2), "pe");
	CHECK_STR(obj_body_magic((const uint8_t *)"PK\x03\x04\x14", 5), "zip");
	CHECK_STR(obj_body_magic((const uint8_t *)"PK\x05\x06", 4), "zip");
	CHECK_STR(obj_body_magic((const uint8_t *)"\x1f\x8b\x08", 3), "gzip");
	CHECK_STR(obj_body_magic((const uint8_t *)"%PDF-1.7\n", 9), "pdf");
	CHECK_STR(obj_body_magic((const uint8_t *)"\x7f" "ELF\x02", 5), "elf");
	CHECK_STR(obj_body_magic((const uint8_t *)"#!/bin/sh\n\techo\r\n", 17),
	    "script/text");
	CHECK_STR(obj_body_magic(bom_ps1, sizeof(bom_ps1) - 1), "script/text");
	/* the BOM alone, UTF-16 text, a short signature: no guess */
	CHECK_STR(obj_body_magic(bom_ps1, 3), "unknown");
	CHECK_STR(obj_body_magic((const uint8_t *)"\xff\xfeW\0", 4), "unknown");
	CHECK_STR(obj_body_magic((const uint8_t *)"\x1f", 1), "unknown");
	CHECK_STR(obj_body_magic((const uint8_t *)"", 0), "unknown");
	CHECK_STR(obj_body_magic(NULL, 0), "unknown");
	/* only the first OBJ_MAGIC_SCAN bytes are looked at */
	memset(text, 'a', sizeof(text));
	text[OBJ_MAGIC_SCAN - 1] = 0x00;
	CHECK_STR(obj_body_magic(text, sizeof(text)), "unknown");
	text[OBJ_MAGIC_SCAN - 1] = 'a';
	text[OBJ_MAGIC_SCAN] = 0x00;
	CHECK_STR(obj_body_magic(text, sizeof(text)), "script/text");
}

UNIT_MAIN(test_real_objects, test_content_wins, test_labels, test_truncated,
    test_shapes, test_vectors, test_names, test_body_magic)
