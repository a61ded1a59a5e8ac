/* Install test app: a plain C program that links the installed octet runtime,
 * runs a model once on a fixed input and prints what came out. Every call's
 * status is checked; any failure exits non-zero with octet's message.
 *
 *   octet_install_app MODEL.octet
 */
#include <octet/octet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reports a failed call and jumps to the cleanup at the end of main. */
#define CHECK(call, who)                                                        \
  do {                                                                          \
    octet_status status_ = (call);                                              \
    if (status_ != OCTET_OK) {                                                  \
      fprintf(stderr, "%s failed: %s: %s\n", #call, octet_status_name(status_), \
              (who) ? octet_interpreter_error(who) : octet_last_error());       \
      goto fail;                                                                \
    }                                                                           \
  } while (0)

/* A deterministic input: a ramp over the whole int8 (or [-1, 1) float) range. */
static void fill_input(const octet_tensor* tensor, unsigned char* data, size_t bytes) {
  size_t i;
  if (octet_tensor_type(tensor) == OCTET_TYPE_FLOAT32) {
    for (i = 0; i + sizeof(float) <= bytes; i += sizeof(float)) {
      float v = (float)((int)((i / sizeof(float)) * 7 % 256) - 128) / 128.0f;
      memcpy(data + i, &v, sizeof v);
    }
  } else {
    for (i = 0; i < bytes; ++i) data[i] = (unsigned char)(i * 7 % 256);
  }
}

/* Prints a tensor's shape, quantization, a checksum and its first values. */
static void print_tensor(const octet_tensor* tensor, const unsigned char* data, size_t bytes) {
  int d;
  size_t i;
  uint32_t sum = 0;
  printf("output \"%s\": type %d, shape [", octet_tensor_name(tensor), (int)octet_tensor_type(tensor));
  for (d = 0; d < octet_tensor_num_dims(tensor); ++d) {
    printf(d ? ", %ld" : "%ld", (long)octet_tensor_dim(tensor, d));
  }
  printf("], scale %g, zero point %ld, %zu bytes\n", octet_tensor_scale(tensor),
         (long)octet_tensor_zero_point(tensor), bytes);
  for (i = 0; i < bytes; ++i) sum = sum * 31u + data[i];
  printf("  checksum %08lx, first values:", (unsigned long)sum);
  if (octet_tensor_type(tensor) == OCTET_TYPE_FLOAT32) {
    for (i = 0; i < 8 && (i + 1) * sizeof(float) <= bytes; ++i) {
      float v;
      memcpy(&v, data + i * sizeof(float), sizeof v);
      printf(" %g", v);
    }
  } else {
    for (i = 0; i < 16 && i < bytes; ++i) printf(" %d", (int)(int8_t)data[i]);
  }
  printf("\n");
}

int main(int argc, char** argv) {
  octet_model* model = NULL;
  octet_interpreter* interpreter = NULL;
  octet_interpreter_options options;
  unsigned char* buffer = NULL;
  size_t arena_bytes = 0;
  int i, exit_code = 1;

  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL.octet\n", argv[0]);
    return 2;
  }
  printf("octet %s (header %d.%d.%d)\n", octet_version(), OCTET_VERSION_MAJOR,
         OCTET_VERSION_MINOR, OCTET_VERSION_PATCH);

  /* A missing file must be an error with a message, not a crash. */
  if (octet_model_load_file("/nonexistent/model.octet", &model) == OCTET_OK ||
      octet_last_error()[0] == '\0') {
    fprintf(stderr, "loading a missing file did not fail with a message\n");
    goto fail;
  }

  CHECK(octet_model_load_file(argv[1], &model), NULL);
  CHECK(octet_model_arena_bytes(model, NULL, &arena_bytes), NULL);
  octet_interpreter_options_init(&options);
  CHECK(octet_interpreter_create(model, &options, &interpreter), NULL);

  for (i = 0; i < octet_interpreter_input_count(interpreter); ++i) {
    octet_tensor* input = NULL;
    size_t bytes;
    CHECK(octet_interpreter_input(interpreter, i, &input), interpreter);
    bytes = octet_tensor_byte_size(input);
    buffer = (unsigned char*)malloc(bytes + 1);
    if (!buffer) goto fail;
    fill_input(input, buffer, bytes);
    /* The wrong size must be refused. */
    if (octet_tensor_copy_from_buffer(input, buffer, bytes + 1) != OCTET_ERROR_INVALID_ARGUMENT) {
      fprintf(stderr, "copying %zu bytes into a %zu-byte input was not refused\n", bytes + 1, bytes);
      goto fail;
    }
    CHECK(octet_tensor_copy_from_buffer(input, buffer, bytes), interpreter);
    free(buffer);
    buffer = NULL;
  }
  if (octet_interpreter_input_count(interpreter) < 1 ||
      octet_interpreter_output_count(interpreter) < 1) {
    fprintf(stderr, "the model has no inputs or no outputs\n");
    goto fail;
  }

  CHECK(octet_interpreter_invoke(interpreter), interpreter);

  for (i = 0; i < octet_interpreter_output_count(interpreter); ++i) {
    octet_tensor* output = NULL;
    size_t bytes;
    CHECK(octet_interpreter_output(interpreter, i, &output), interpreter);
    bytes = octet_tensor_byte_size(output);
    buffer = (unsigned char*)malloc(bytes ? bytes : 1);
    if (!buffer) goto fail;
    CHECK(octet_tensor_copy_to_buffer(output, buffer, bytes), interpreter);
    print_tensor(output, buffer, bytes);
    free(buffer);
    buffer = NULL;
  }
  printf("isa %s, arena %zu bytes (model says %zu), persistent %zu bytes\n",
         octet_interpreter_isa(interpreter), octet_interpreter_arena_bytes(interpreter),
         arena_bytes, octet_interpreter_persistent_bytes(interpreter));
  exit_code = 0;

fail:
  free(buffer);
  if (interpreter) octet_interpreter_destroy(interpreter);
  if (model) octet_model_destroy(model);
  return exit_code;
}
