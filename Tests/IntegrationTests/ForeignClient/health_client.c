/*
 * A client of the internal RPC written in C from Proto/PROTOCOL.md alone, with libprotobuf-c and the
 * protoc-c code generated from Proto/pm/v1. It makes one pm.v1.Health call and prints the outcome:
 *
 *   health_client HOST PORT TOKEN METHOD_PATH
 *   -> "status_code=0 status_message= serving_status=1"; exit 0 on OK, 2 on an error status, 1 on failure.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pm/v1/health.pb-c.h"
#include "pm/v1/rpc.pb-c.h"

#define MAX_FRAME_SIZE (4u << 20)

static int write_all(int fd, const uint8_t *data, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written <= 0) return -1;
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

static int read_all(int fd, uint8_t *data, size_t length) {
    while (length > 0) {
        ssize_t got = read(fd, data, length);
        if (got <= 0) return -1;
        data += got;
        length -= (size_t)got;
    }
    return 0;
}

/* Every frame: a 4-byte big-endian length, then one packed pm.v1.Frame. */
static int send_frame(int fd, const Pm__V1__Frame *frame) {
    size_t size = pm__v1__frame__get_packed_size(frame);
    uint8_t *buffer = malloc(size + 4);
    uint32_t length = htonl((uint32_t)size);
    memcpy(buffer, &length, 4);
    pm__v1__frame__pack(frame, buffer + 4);
    int result = write_all(fd, buffer, size + 4);
    free(buffer);
    return result;
}

static Pm__V1__Frame *receive_frame(int fd) {
    uint32_t length;
    if (read_all(fd, (uint8_t *)&length, 4) != 0) return NULL;
    length = ntohl(length);
    if (length > MAX_FRAME_SIZE) return NULL;
    uint8_t *body = malloc(length ? length : 1);
    if (read_all(fd, body, length) != 0) { free(body); return NULL; }
    Pm__V1__Frame *frame = pm__v1__frame__unpack(NULL, length, body);
    free(body);
    return frame;
}

static int connect_to(const char *host, const char *port) {
    struct addrinfo hints = {0}, *addresses;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &addresses) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *a = addresses; a != NULL && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) { close(fd); fd = -1; }
    }
    freeaddrinfo(addresses);
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s HOST PORT TOKEN METHOD_PATH\n", argv[0]);
        return 1;
    }
    int fd = connect_to(argv[1], argv[2]);
    if (fd < 0) { perror("connect"); return 1; }

    Pm__V1__HealthCheckRequest request;
    pm__v1__health_check_request__init(&request);
    request.service = "";
    size_t request_size = pm__v1__health_check_request__get_packed_size(&request);
    uint8_t *request_bytes = malloc(request_size ? request_size : 1);
    pm__v1__health_check_request__pack(&request, request_bytes);

    char authorization[512];
    snprintf(authorization, sizeof authorization, "Bearer %s", argv[3]);
    Pm__V1__MetadataEntry entry;
    pm__v1__metadata_entry__init(&entry);
    entry.key = "authorization";
    entry.value = authorization;
    Pm__V1__MetadataEntry *entries[] = {&entry};

    Pm__V1__Frame call;
    pm__v1__frame__init(&call);
    call.call_id = 1;
    call.type = PM__V1__FRAME_TYPE__FRAME_TYPE_CALL;
    call.method = argv[4];
    call.n_metadata = 1;
    call.metadata = entries;
    call.timeout_us = 60000000; /* a minute: the server may be slow on a busy test machine */
    call.optional_payload_case = PM__V1__FRAME__OPTIONAL_PAYLOAD_PAYLOAD;
    call.payload.len = request_size;
    call.payload.data = request_bytes;
    if (send_frame(fd, &call) != 0) { perror("write"); return 1; }
    free(request_bytes);

    for (;;) {
        Pm__V1__Frame *frame = receive_frame(fd);
        if (frame == NULL) { fprintf(stderr, "connection closed before the call's status\n"); return 1; }
        if (frame->call_id != 1 || frame->type != PM__V1__FRAME_TYPE__FRAME_TYPE_STATUS) {
            pm__v1__frame__free_unpacked(frame, NULL);
            continue;
        }
        int code = frame->status_code;
        printf("status_code=%d status_message=%s", code, frame->status_message);
        if (code == 0 && frame->optional_payload_case == PM__V1__FRAME__OPTIONAL_PAYLOAD_PAYLOAD) {
            Pm__V1__HealthCheckResponse *response =
                pm__v1__health_check_response__unpack(NULL, frame->payload.len, frame->payload.data);
            if (response == NULL) { fprintf(stderr, "\nundecodable response\n"); return 1; }
            printf(" serving_status=%d", (int)response->status);
            pm__v1__health_check_response__free_unpacked(response, NULL);
        }
        printf("\n");
        pm__v1__frame__free_unpacked(frame, NULL);
        close(fd);
        return code == 0 ? 0 : 2;
    }
}
