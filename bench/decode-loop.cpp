// A plain llama.cpp token loop, for bench/decode-floor.ts: decodes one token at a time and takes the most likely next
// one, with the same context settings as Studio. Each line on stdin runs one round; it prints the round's median
// milliseconds per token.
#include "llama.h"
#include "ggml-backend.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char ** argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s <backends dir> <model.gguf> <threads> <sequences> <context per sequence> <tokens>\n", argv[0]);
    return 2;
  }
  ggml_backend_load_all_from_path(argv[1]);
  llama_backend_init();
  llama_model * model = llama_model_load_from_file(argv[2], llama_model_default_params());
  if (model == nullptr) return 1;
  const int threads = atoi(argv[3]), sequences = atoi(argv[4]), tokens = atoi(argv[6]);
  llama_context_params params = llama_context_default_params();
  params.n_ctx = atoi(argv[5]) * sequences;
  params.n_seq_max = sequences;
  params.n_batch = params.n_ubatch = 512;
  params.n_threads = params.n_threads_batch = threads;
  params.no_perf = true;
  llama_context * context = llama_init_from_model(model, params);
  if (context == nullptr) return 1;
  const int vocabulary = llama_vocab_n_tokens(llama_model_get_vocab(model));

  char line[256];
  for (int round = 0; fgets(line, sizeof line, stdin) != nullptr; round++) {
    llama_memory_clear(llama_get_memory(context), true);
    llama_token token = 100 + round;
    std::vector<double> ms;
    for (int i = 0; i < tokens; i++) {
      const auto start = std::chrono::steady_clock::now();
      if (llama_decode(context, llama_batch_get_one(&token, 1)) != 0) return 1;
      const float * logits = llama_get_logits_ith(context, -1);
      token = static_cast<llama_token>(std::max_element(logits, logits + vocabulary) - logits);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    printf("%.3f\n", ms[ms.size() / 2]);
    fflush(stdout);
  }
  return 0;
}
