package dev.zeropoint.backends.c;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;

/**
 * The command-line harness of a compiled model, {@code <model>_main.c}: {@code <model> --input
 * NAME=FILE.npy ... --output-dir DIR [--repeat N] [--threads N]} reads each input, checks its
 * dtype and shape, runs the model and writes {@code DIR/<output>.npy} for every output (as
 * {@code zeropoint run} does, byte for byte). {@code --repeat N} runs the model N times and prints
 * the median latency; {@code --threads N} runs its parallel loops on N POSIX threads (a pool made
 * once, the calling thread one of them).
 * Every error is one line on stderr and exit status 1; no partial output file is left behind.
 */
public final class CHarness {
  private CHarness() {}

  /**
   * A model with state to set up and to release (a device): {@code int <name>_init(void)} runs once
   * before the model, {@code void <name>_teardown(void)} once after; the init and {@code
   * <name>_run_parallel} return 0 or an error code, which {@code const char *<name>_strerror(int)}
   * describes, and the harness stops with that message. {@code link}: what the build line of the
   * harness's comment adds (the device's library).
   */
  public record Lifecycle(String init, String teardown, String strerror, String link) {}

  /**
   * The harness of a model whose entry points are named {@code <name>_...} and whose header defines
   * {@code <upper>_MAX_THREADS}, {@code <upper>_ARENA_SIZE} and {@code <upper>_ARENA_ALIGNMENT}: with a
   * lifecycle, or null for a model that keeps no state ({@link CEmitter}'s).
   */
  public static String harness(Graph graph, String name, String upper, Lifecycle lifecycle) {
    StringBuilder s = new StringBuilder();
    s.append("/* ").append(name).append("_main.c: runs ").append(name).append(" on .npy files.\n")
        .append(" * usage: ").append(name)
        .append(" --input NAME=FILE.npy ... --output-dir DIR [--repeat N] [--threads N]\n")
        .append(" * build: cc -std=c99 -O2 -pthread ").append(name).append(".c ").append(name).append("_main.c")
        .append(lifecycle == null ? "" : " " + lifecycle.link()).append(" */\n");
    s.append("#define _POSIX_C_SOURCE 200112L\n");
    s.append("#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <time.h>\n#include <errno.h>\n#include <sys/stat.h>\n#include <pthread.h>\n");
    s.append("#include \"").append(name).append(".h\"\n\n");
    s.append(COMMON);
    int inputs = graph.inputs().size();
    int outputs = graph.outputs().size();
    s.append("static const tensor_info inputs[] = {\n");
    for (Value in : graph.inputs()) {
      info(s, in.name(), in.type());
    }
    if (inputs == 0) {
      s.append("  {\"\", \"\", 0, {0}, 0}\n");
    }
    s.append("};\nstatic const tensor_info outputs[] = {\n");
    for (Graph.Output o : graph.outputs()) {
      info(s, o.name(), o.value().type());
    }
    if (outputs == 0) {
      s.append("  {\"\", \"\", 0, {0}, 0}\n");
    }
    s.append("};\n#define INPUTS ").append(inputs).append("\n#define OUTPUTS ").append(outputs).append("\n\n");
    s.append("#define MAX_THREADS ").append(upper).append("_MAX_THREADS\n\n");
    s.append(POOL);
    s.append("static void run(void *const *in, void *const *out, void *arena, pool_t *pool) {\n  (void) in;\n  (void) out;\n  ")
        .append(lifecycle == null ? "" : "{\n    int status = ").append(name).append("_run_parallel(");
    StringBuilder args = new StringBuilder();
    for (int i = 0; i < inputs; i++) {
      args.append("(const ").append(CType.of(graph.inputs().get(i).type().elementType()).c()).append(" *) in[")
          .append(i).append("], ");
    }
    for (int i = 0; i < outputs; i++) {
      args.append("(").append(CType.of(graph.outputs().get(i).value().type().elementType()).c()).append(" *) out[")
          .append(i).append("], ");
    }
    s.append(args).append("arena, pool->threads, pool_parallel, pool);\n");
    if (lifecycle != null) {
      s.append("    if (status != 0) {\n      fail(\"the model failed: \", ").append(lifecycle.strerror())
          .append("(status));\n    }\n  }\n");
    }
    s.append("}\n\n");
    s.append("#define ARENA_SIZE ").append(upper).append("_ARENA_SIZE\n#define ARENA_ALIGNMENT ").append(upper)
        .append("_ARENA_ALIGNMENT\n\n");
    String start = lifecycle == null ? "" : "  {\n    int status = " + lifecycle.init() + "();\n"
        + "    if (status != 0) {\n      fail(\"cannot start the model: \", " + lifecycle.strerror() + "(status));\n"
        + "    }\n  }\n";
    String stop = lifecycle == null ? "" : "  " + lifecycle.teardown() + "();\n";
    s.append(MAIN.replace("  /* start */\n", start).replace("  /* stop */\n", stop));
    return s.toString();
  }

  private static void info(StringBuilder s, String irName, TensorType t) {
    s.append("  {\"").append(escape(irName)).append("\", \"").append(descr(t.elementType())).append("\", ")
        .append(t.rank()).append(", {");
    for (int d = 0; d < Math.max(1, t.rank()); d++) {
      s.append(d > 0 ? ", " : "").append(t.rank() == 0 ? 0 : t.shape().dim(d));
    }
    s.append("}, ").append(CType.of(t.elementType()).size()).append("},\n");
  }

  private static String descr(ElementType e) {
    return switch (e) {
      case F32 -> "<f4";
      case U8 -> "|u1";
      case I8 -> "|i1";
      case I16 -> "<i2";
      case I32 -> "<i4";
      default -> throw new IllegalArgumentException("no .npy dtype for " + e);
    };
  }

  private static String escape(String v) {
    StringBuilder b = new StringBuilder();
    for (char c : v.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 32 || c > 126) {
        b.append(String.format("\\%03o", (int) c & 0xff));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static final String COMMON = """
      #define MAX_RANK 16
      typedef struct {
        const char *name;
        const char *descr;
        int rank;
        long shape[MAX_RANK];
        size_t width;
      } tensor_info;

      static const char *program = "model";

      static void fail(const char *what, const char *detail) {
        fprintf(stderr, "%s: error: %s%s\\n", program, what, detail);
        exit(1);
      }

      static size_t elements(const tensor_info *t) {
        size_t n = 1;
        int d;
        for (d = 0; d < t->rank; d++) {
          n *= (size_t) t->shape[d];
        }
        return n;
      }

      static void describe(char *out, size_t size, const char *descr, int rank, const long *shape) {
        int d;
        size_t used;
        snprintf(out, size, "%s (", descr);
        for (d = 0; d < rank; d++) {
          used = strlen(out);
          snprintf(out + used, size - used, d > 0 ? ", %ld" : "%ld", shape[d]);
        }
        used = strlen(out);
        snprintf(out + used, size - used, ")");
      }

      /* Reads a .npy file of the tensor's dtype and shape into a new buffer. */
      static void *read_npy(const char *file, const tensor_info *t) {
        char message[1024];
        unsigned char magic[8];
        unsigned char lenbytes[4];
        size_t header_len, n, count;
        char *header, *p;
        long shape[MAX_RANK];
        int rank = 0;
        void *data;
        FILE *f = fopen(file, "rb");
        if (f == NULL) {
          fail("cannot read ", file);
        }
        if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "\\x93NUMPY", 6) != 0 || magic[6] < 1 || magic[6] > 3) {
          fail("not a .npy file: ", file);
        }
        if (magic[6] == 1) {
          if (fread(lenbytes, 1, 2, f) != 2) {
            fail("truncated .npy header: ", file);
          }
          header_len = (size_t) lenbytes[0] | ((size_t) lenbytes[1] << 8);
        } else {
          if (fread(lenbytes, 1, 4, f) != 4) {
            fail("truncated .npy header: ", file);
          }
          header_len = (size_t) lenbytes[0] | ((size_t) lenbytes[1] << 8) | ((size_t) lenbytes[2] << 16)
              | ((size_t) lenbytes[3] << 24);
        }
        if (header_len > 65536) {
          fail("unreasonable .npy header: ", file);
        }
        header = malloc(header_len + 1);
        if (header == NULL || fread(header, 1, header_len, f) != header_len) {
          fail("truncated .npy header: ", file);
        }
        header[header_len] = 0;
        if (strstr(header, "'fortran_order': False") == NULL) {
          fail("only C-order .npy arrays are read: ", file);
        }
        p = strstr(header, "'descr': '");
        if (p == NULL) {
          fail("no dtype in the .npy header of ", file);
        }
        p += 10;
        {
          char descr[16];
          size_t k = 0;
          while (p[k] != '\\'' && p[k] != 0 && k < sizeof descr - 1) {
            descr[k] = p[k];
            k++;
          }
          descr[k] = 0;
          if (strcmp(descr, t->descr) != 0 && !(descr[0] == '<' && t->descr[0] == '|' && strcmp(descr + 1, t->descr + 1) == 0)
              && !(descr[0] == '|' && t->descr[0] == '<' && strcmp(descr + 1, t->descr + 1) == 0)) {
            char want[256];
            describe(want, sizeof want, t->descr, t->rank, t->shape);
            snprintf(message, sizeof message, "%s: dtype %s, but input %s is %s", file, descr, t->name, want);
            fail(message, "");
          }
        }
        p = strstr(header, "'shape': (");
        if (p == NULL) {
          fail("no shape in the .npy header of ", file);
        }
        p += 10;
        while (*p != ')' && *p != 0) {
          char *end;
          long v;
          while (*p == ' ' || *p == ',') {
            p++;
          }
          if (*p == ')') {
            break;
          }
          v = strtol(p, &end, 10);
          if (end == p || rank == MAX_RANK) {
            fail("bad shape in the .npy header of ", file);
          }
          shape[rank++] = v;
          p = end;
        }
        free(header);
        {
          int d, same = rank == t->rank;
          for (d = 0; same && d < rank; d++) {
            same = shape[d] == t->shape[d];
          }
          if (!same) {
            char got[256], want[256];
            describe(got, sizeof got, t->descr, rank, shape);
            describe(want, sizeof want, t->descr, t->rank, t->shape);
            snprintf(message, sizeof message, "%s: %s, but input %s is %s", file, got, t->name, want);
            fail(message, "");
          }
        }
        n = elements(t);
        data = malloc(n * t->width + 1);
        if (data == NULL) {
          fail("out of memory reading ", file);
        }
        count = fread(data, t->width, n, f);
        if (count != n || fgetc(f) != EOF) {
          fail("the data of the .npy file does not match its shape: ", file);
        }
        fclose(f);
        return data;
      }

      /* Writes DIR/NAME.npy through a temporary file, so that no partial file is left behind. */
      static void write_npy(const char *dir, const tensor_info *t, const void *data) {
        char path[4096], tmp[4200], header[512], dims[256];
        size_t len, total, padded, n = elements(t);
        int d;
        FILE *f;
        dims[0] = 0;
        for (d = 0; d < t->rank; d++) {
          size_t used = strlen(dims);
          snprintf(dims + used, sizeof dims - used, d == 0 ? "%ld" : ", %ld", t->shape[d]);
        }
        if (t->rank == 1) {
          strcat(dims, ",");
        }
        snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", t->descr, dims);
        len = strlen(header);
        total = 10 + len + 1;
        padded = (total + 63) / 64 * 64;
        while (len < padded - 10 - 1) {
          header[len++] = ' ';
        }
        header[len++] = '\\n';
        header[len] = 0;
        snprintf(path, sizeof path, "%s/%s.npy", dir, t->name);
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        f = fopen(tmp, "wb");
        if (f == NULL) {
          fail("cannot write ", tmp);
        }
        {
          unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
          pre[8] = (unsigned char) (len & 0xff);
          pre[9] = (unsigned char) (len >> 8);
          if (fwrite(pre, 1, 10, f) != 10 || fwrite(header, 1, len, f) != len
              || (n > 0 && fwrite(data, t->width, n, f) != n) || fclose(f) != 0) {
            remove(tmp);
            fail("cannot write ", tmp);
          }
        }
        if (rename(tmp, path) != 0) {
          remove(tmp);
          fail("cannot write ", path);
        }
      }

      /* Creates the directory and its parents (POSIX mkdir), as zeropoint run does. */
      static void make_directories(const char *dir) {
        char path[4096];
        size_t i, n = strlen(dir);
        struct stat st;
        if (n >= sizeof path) {
          fail("output directory name too long: ", dir);
        }
        memcpy(path, dir, n + 1);
        for (i = 1; i <= n; i++) {
          if (path[i] == '/' || path[i] == 0) {
            char saved = path[i];
            path[i] = 0;
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
              fail("cannot create the output directory ", dir);
            }
            path[i] = saved;
          }
        }
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
          fail("cannot create the output directory ", dir);
        }
      }

      static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
      }

      static int compare_doubles(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : (x > y ? 1 : 0);
      }

      """;

  /** A pool of POSIX threads for the model's parallel loops: the calling thread runs part 0. */
  private static final String POOL = """
      typedef struct pool_s {
        pthread_mutex_t lock;
        pthread_cond_t wake, done;
        void (*task)(void *args, int32_t part, int32_t parts);
        void *args;
        int32_t parts, threads, pending;
        long generation;
        int stop;
        pthread_t workers[MAX_THREADS];
        struct pool_slot {
          struct pool_s *pool;
          int32_t index;
        } slots[MAX_THREADS];
      } pool_t;

      /* The pool's counters are read without the lock while a thread spins (GCC's and Clang's
         __atomic builtins); other compilers only ever wait on the condition variables. */
      #if defined(__GNUC__)
      #define POOL_LOAD(v) __atomic_load_n(&(v), __ATOMIC_ACQUIRE)
      #define POOL_STORE(v, x) __atomic_store_n(&(v), (x), __ATOMIC_RELEASE)
      #define POOL_DECREMENT(v) __atomic_sub_fetch(&(v), 1, __ATOMIC_ACQ_REL)
      #define POOL_SPINS 20000
      #else
      #define POOL_LOAD(v) (v)
      #define POOL_STORE(v, x) ((v) = (x))
      #define POOL_DECREMENT(v) (--(v))
      #define POOL_SPINS 0
      #endif

      static void *pool_worker(void *p) {
        pool_t *pool = ((struct pool_slot *) p)->pool;
        int32_t index = ((struct pool_slot *) p)->index;
        long seen = 0;
        for (;;) {
          void (*task)(void *args, int32_t part, int32_t parts);
          void *args;
          int32_t parts;
          long spins;
          /* A loop follows the last one soon: spin a little before sleeping. */
          for (spins = 0; spins < POOL_SPINS && POOL_LOAD(pool->generation) == seen; spins++) {
          }
          pthread_mutex_lock(&pool->lock);
          while (POOL_LOAD(pool->generation) == seen && !pool->stop) {
            pthread_cond_wait(&pool->wake, &pool->lock);
          }
          if (pool->stop) {
            pthread_mutex_unlock(&pool->lock);
            return NULL;
          }
          seen = POOL_LOAD(pool->generation);
          task = pool->task;
          args = pool->args;
          parts = pool->parts;
          pthread_mutex_unlock(&pool->lock);
          if (index < parts) {
            task(args, index, parts);
          }
          if (POOL_DECREMENT(pool->pending) == 0) {
            pthread_mutex_lock(&pool->lock);
            pthread_cond_signal(&pool->done);
            pthread_mutex_unlock(&pool->lock);
          }
        }
      }

      /* The model's parallel callback: parts 1.. on the workers, part 0 here; returns when all are done. */
      static void pool_parallel(void *context, void (*task)(void *args, int32_t part, int32_t parts), void *args,
          int32_t parts) {
        pool_t *pool = (pool_t *) context;
        long spins;
        pthread_mutex_lock(&pool->lock);
        pool->task = task;
        pool->args = args;
        pool->parts = parts;
        POOL_STORE(pool->pending, pool->threads - 1);
        POOL_STORE(pool->generation, pool->generation + 1);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->lock);
        task(args, 0, parts);
        for (spins = 0; spins < POOL_SPINS && POOL_LOAD(pool->pending) > 0; spins++) {
        }
        pthread_mutex_lock(&pool->lock);
        while (POOL_LOAD(pool->pending) > 0) {
          pthread_cond_wait(&pool->done, &pool->lock);
        }
        pthread_mutex_unlock(&pool->lock);
      }

      static void pool_start(pool_t *pool, int32_t threads) {
        int32_t i;
        memset(pool, 0, sizeof *pool);
        pool->threads = threads;
        if (pthread_mutex_init(&pool->lock, NULL) != 0 || pthread_cond_init(&pool->wake, NULL) != 0
            || pthread_cond_init(&pool->done, NULL) != 0) {
          fail("cannot make the thread pool", "");
        }
        for (i = 1; i < threads; i++) {
          pool->slots[i].pool = pool;
          pool->slots[i].index = i;
          if (pthread_create(&pool->workers[i], NULL, pool_worker, &pool->slots[i]) != 0) {
            fail("cannot start a thread", "");
          }
        }
      }

      static void pool_stop(pool_t *pool) {
        int32_t i;
        pthread_mutex_lock(&pool->lock);
        pool->stop = 1;
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->lock);
        for (i = 1; i < pool->threads; i++) {
          pthread_join(pool->workers[i], NULL);
        }
        pthread_mutex_destroy(&pool->lock);
        pthread_cond_destroy(&pool->wake);
        pthread_cond_destroy(&pool->done);
      }

      """;

  private static final String MAIN = """
      int main(int argc, char **argv) {
        void *in[INPUTS + 1];
        void *out[OUTPUTS + 1];
        const char *files[INPUTS + 1];
        const char *dir = NULL;
        long repeat = 0;
        long threads = 1;
        pool_t pool;
        unsigned char *raw, *arena;
        int i, k;
        {
          uint16_t one = 1;
          unsigned char first;
          memcpy(&first, &one, 1);
          if (first != 1) {
            fail("this harness reads and writes little-endian .npy files only", "");
          }
        }
        program = argv[0];
        for (k = 0; k <= INPUTS; k++) {
          files[k] = NULL;
        }
        for (i = 1; i < argc; i++) {
          if (strcmp(argv[i], "--output-dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
          } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            char *end;
            repeat = strtol(argv[++i], &end, 10);
            if (*end != 0 || repeat < 1) {
              fail("--repeat takes a positive count, not ", argv[i]);
            }
          } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            char *end;
            threads = strtol(argv[++i], &end, 10);
            if (*end != 0 || threads < 1 || threads > (long) MAX_THREADS) {
              char message[256];
              snprintf(message, sizeof message, "--threads takes 1 to %ld (the model was compiled for at most %ld; "
                  "zeropoint compile --threads N), not ", (long) MAX_THREADS, (long) MAX_THREADS);
              fail(message, argv[i]);
            }
          } else if (strcmp(argv[i], "--input") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            const char *eq = strchr(v, '=');
            int found = 0;
            if (eq == NULL || eq == v) {
              fail("--input takes NAME=FILE.npy, not ", v);
            }
            for (k = 0; k < INPUTS; k++) {
              if (strlen(inputs[k].name) == (size_t) (eq - v) && strncmp(inputs[k].name, v, (size_t) (eq - v)) == 0) {
                files[k] = eq + 1;
                found = 1;
              }
            }
            if (!found) {
              fail("the model has no input named in ", v);
            }
          } else {
            fail("usage: MODEL --input NAME=FILE.npy ... --output-dir DIR [--repeat N] [--threads N]; unexpected ",
                argv[i]);
          }
        }
        if (dir == NULL && repeat == 0) {
          fail("--output-dir DIR is required", "");
        }
        for (k = 0; k < INPUTS; k++) {
          if (files[k] == NULL) {
            fail("missing --input ", inputs[k].name);
          }
          in[k] = read_npy(files[k], &inputs[k]);
        }
        for (k = 0; k < OUTPUTS; k++) {
          out[k] = malloc(elements(&outputs[k]) * outputs[k].width + 1);
          if (out[k] == NULL) {
            fail("out of memory", "");
          }
        }
        raw = malloc(ARENA_SIZE + ARENA_ALIGNMENT);
        if (raw == NULL) {
          fail("out of memory for the arena", "");
        }
        arena = raw + (ARENA_ALIGNMENT - (size_t) ((uintptr_t) raw % ARENA_ALIGNMENT)) % ARENA_ALIGNMENT;
        pool_start(&pool, (int32_t) threads);
        /* start */
        if (repeat > 0) {
          double *times = malloc((size_t) repeat * sizeof(double));
          long r;
          if (times == NULL) {
            fail("out of memory", "");
          }
          for (r = 0; r < repeat; r++) {
            double start = now();
            run(in, out, arena, &pool);
            times[r] = now() - start;
          }
          qsort(times, (size_t) repeat, sizeof(double), compare_doubles);
          printf("median_ms %.4f\\nmin_ms %.4f\\nruns %ld\\n", times[repeat / 2] * 1e3, times[0] * 1e3, repeat);
          free(times);
        } else {
          run(in, out, arena, &pool);
        }
        /* stop */
        pool_stop(&pool);
        if (dir != NULL) {
          make_directories(dir);
          for (k = 0; k < OUTPUTS; k++) {
            write_npy(dir, &outputs[k], out[k]);
          }
        }
        for (k = 0; k < INPUTS; k++) {
          free(in[k]);
        }
        for (k = 0; k < OUTPUTS; k++) {
          free(out[k]);
        }
        free(raw);
        return 0;
      }
      """;
}
