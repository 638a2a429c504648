// Splits an OIP infer request body into the JSON that V8 parses well (names,
// shapes, datatypes, parameters) and the flat number arrays of inputs[i].data
// that it parses slowly (a boxed double per element, 17-digit decimals past
// its fast path). Numbers are read with std::from_chars (correctly rounded,
// so every value equals what JSON.parse gives).
//
// Contract: parse(bytes, scratch) returns [json, i0, offset0, count0, ...]
// where json is the body with each replaced array written as `null`, i_k an
// index into inputs and scratch[offset_k, offset_k + count_k) its numbers; a
// number (the capacity needed) when scratch is too small; or undefined whenever the body is not
// plainly the expected shape (invalid JSON, a BOM, escaped or repeated keys,
// numbers out of double range, bytes outside ASCII in what is kept as
// JSON). The caller then uses JSON.parse, so this path never has to
// reproduce its error messages or its decoding of malformed UTF-8.
#include <node_api.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace {

struct Replacement {
  size_t begin;
  size_t end;
  int32_t input;
  size_t first;  // offset into the output buffer
  size_t count;
};

class Parser {
 public:
  // Numbers are written to out[0, capacity); past that they are only counted,
  // so the caller learns how large a buffer the body needs.
  Parser(const uint8_t* data, size_t size, double* out, size_t capacity) : s_(data), n_(size), out_(out), capacity_(capacity) {}

  bool Run() {
    if (n_ >= 3 && s_[0] == 0xEF && s_[1] == 0xBB && s_[2] == 0xBF) return false;
    Ws();
    if (!Root()) return false;
    Ws();
    return p_ == n_;
  }

  std::vector<Replacement> replacements;
  size_t count = 0;  // numbers read, written or not

 private:
  const uint8_t* s_;
  size_t n_;
  size_t p_ = 0;
  double* out_;
  size_t capacity_;

  bool At(uint8_t c) const { return p_ < n_ && s_[p_] == c; }
  void Ws() {
    while (p_ < n_ && (s_[p_] == ' ' || s_[p_] == '\n' || s_[p_] == '\r' || s_[p_] == '\t')) p_++;
  }
  bool Expect(uint8_t c) {
    Ws();
    if (!At(c)) return false;
    p_++;
    Ws();
    return true;
  }

  // A string token; `plain` is false when it holds an escape (such a key could
  // spell "data" in a way this parser would not recognise).
  bool String(size_t* begin, size_t* end, bool* plain) {
    if (!At('"')) return false;
    p_++;
    *begin = p_;
    *plain = true;
    while (p_ < n_) {
      uint8_t c = s_[p_];
      if (c == '"') {
        *end = p_++;
        return true;
      }
      if (c == '\\') {
        *plain = false;
        p_ += 2;
        continue;
      }
      p_++;
    }
    return false;
  }

  bool KeyIs(size_t b, size_t e, const char* name) const {
    size_t len = std::strlen(name);
    return e - b == len && std::memcmp(s_ + b, name, len) == 0;
  }

  // Skips any value, tracking only strings and nesting: what it skips is
  // copied verbatim and JSON.parse judges it.
  bool SkipValue() {
    if (p_ >= n_) return false;
    uint8_t c = s_[p_];
    if (c == '"') {
      size_t b, e;
      bool plain;
      return String(&b, &e, &plain);
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      while (p_ < n_) {
        c = s_[p_];
        if (c == '"') {
          size_t b, e;
          bool plain;
          if (!String(&b, &e, &plain)) return false;
          continue;
        }
        if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') {
          if (--depth == 0) {
            p_++;
            return true;
          }
        }
        p_++;
      }
      return false;
    }
    size_t start = p_;
    while (p_ < n_ && s_[p_] != ',' && s_[p_] != '}' && s_[p_] != ']' && s_[p_] != ' ' && s_[p_] != '\n' &&
           s_[p_] != '\r' && s_[p_] != '\t')
      p_++;
    return p_ > start;
  }

  bool Digits() {
    size_t start = p_;
    while (p_ < n_ && s_[p_] >= '0' && s_[p_] <= '9') p_++;
    return p_ > start;
  }

  enum class Num { kOk, kNotANumber, kInvalid };

  // One JSON number, by the grammar of RFC 8259 exactly.
  Num Number(double* out) {
    size_t start = p_;
    if (At('-')) p_++;
    if (At('0')) {
      p_++;
    } else if (p_ < n_ && s_[p_] >= '1' && s_[p_] <= '9') {
      Digits();
    } else {
      return p_ == start ? Num::kNotANumber : Num::kInvalid;
    }
    if (At('.')) {
      p_++;
      if (!Digits()) return Num::kInvalid;
    }
    if (At('e') || At('E')) {
      p_++;
      if (At('+') || At('-')) p_++;
      if (!Digits()) return Num::kInvalid;
    }
    const char* b = reinterpret_cast<const char*>(s_ + start);
    const char* e = reinterpret_cast<const char*>(s_ + p_);
    auto r = std::from_chars(b, e, *out);
    // Out of double range: JSON.parse gives ±Infinity or 0; leave it to JSON.parse.
    return r.ec == std::errc() && r.ptr == e ? Num::kOk : Num::kInvalid;
  }

  enum class Arr { kDone, kNotNumbers, kInvalid };

  // A flat array of numbers, e.g. [1, -2.5e3]; kNotNumbers at the first element that is not a number.
  Arr NumberArray(size_t* first, size_t* n) {
    *first = count;
    p_++;  // '['
    Ws();
    if (At(']')) {
      p_++;
      *n = 0;
      return Arr::kDone;
    }
    for (;;) {
      double v;
      Num r = Number(&v);
      if (r == Num::kNotANumber) {
        count = *first;
        return Arr::kNotNumbers;
      }
      if (r == Num::kInvalid) return Arr::kInvalid;
      if (count < capacity_) out_[count] = v;
      count++;
      Ws();
      if (At(',')) {
        p_++;
        Ws();
        continue;
      }
      if (At(']')) {
        p_++;
        *n = count - *first;
        return Arr::kDone;
      }
      return Arr::kInvalid;
    }
  }

  // The items of a container opened by `open` and closed by `close`, handing
  // each to `item` (which reads it) with its position.
  template <typename F>
  bool Items(uint8_t open, uint8_t close, F item) {
    if (!At(open)) return false;
    p_++;
    Ws();
    if (At(close)) {
      p_++;
      return true;
    }
    for (int32_t i = 0;; i++) {
      if (!item(i)) return false;
      Ws();
      if (At(',')) {
        p_++;
        Ws();
        continue;
      }
      if (At(close)) {
        p_++;
        return true;
      }
      return false;
    }
  }

  // The members of an object, handing each key's value to `value`; a key
  // with an escape gives up.
  template <typename F>
  bool Members(F value) {
    return Items('{', '}', [&](int32_t) {
      size_t kb, ke;
      bool plain;
      if (!String(&kb, &ke, &plain) || !plain) return false;
      return Expect(':') && value(kb, ke);
    });
  }

  bool Input(int32_t index) {
    bool seen = false;
    return Members([&](size_t kb, size_t ke) {
      if (!KeyIs(kb, ke, "data")) return SkipValue();
      if (seen) return false;
      seen = true;
      if (!At('[')) return SkipValue();
      size_t begin = p_, first, n;
      Arr r = NumberArray(&first, &n);
      if (r == Arr::kInvalid) return false;
      if (r == Arr::kNotNumbers) {
        p_ = begin;
        return SkipValue();
      }
      replacements.push_back({begin, p_, index, first, n});
      return true;
    });
  }

  bool Inputs() {
    if (!At('[')) return SkipValue();
    return Items('[', ']', [&](int32_t i) { return At('{') ? Input(i) : SkipValue(); });
  }

  bool Root() {
    bool seen = false;
    return Members([&](size_t kb, size_t ke) {
      if (!KeyIs(kb, ke, "inputs")) return SkipValue();
      if (seen) return false;
      seen = true;
      return Inputs();
    });
  }
};

napi_value Undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

bool TypedArrayOf(napi_env env, napi_value value, napi_typedarray_type want, void** data, size_t* length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  return napi_get_typedarray_info(env, value, &type, length, data, &ab, &offset) == napi_ok && type == want;
}

// parse(bytes: Uint8Array, scratch: Float64Array): the numbers go into scratch
// (no allocation per call); the result lists [json, input, offset, count, ...].
// When scratch is too small, the result is the number of values it must hold.
napi_value Parse(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  void* data;
  size_t length;
  void* scratch;
  size_t capacity;
  if (napi_get_cb_info(env, info, &argc, args, nullptr, nullptr) != napi_ok || argc < 2 ||
      !TypedArrayOf(env, args[0], napi_uint8_array, &data, &length) ||
      !TypedArrayOf(env, args[1], napi_float64_array, &scratch, &capacity)) {
    napi_throw_type_error(env, nullptr, "parse: expected (Uint8Array, Float64Array)");
    return nullptr;
  }
  const uint8_t* bytes = static_cast<const uint8_t*>(data);
  Parser parser(bytes, length, static_cast<double*>(scratch), capacity);
  if (!parser.Run()) return Undefined(env);
  if (parser.count > capacity) {
    napi_value needed;
    napi_create_double(env, static_cast<double>(parser.count), &needed);
    return needed;
  }

  std::string json;
  json.reserve(length < 512 ? length : 512);
  size_t copied = 0;
  for (const Replacement& r : parser.replacements) {
    json.append(reinterpret_cast<const char*>(bytes + copied), r.begin - copied);
    json.append("null");
    copied = r.end;
  }
  json.append(reinterpret_cast<const char*>(bytes + copied), length - copied);
  // ASCII only, so a Latin-1 string is the exact text (and cheaper to make).
  for (unsigned char c : json)
    if (c >= 0x80) return Undefined(env);

  napi_value result, text;
  napi_create_array_with_length(env, 1 + 3 * parser.replacements.size(), &result);
  if (napi_create_string_latin1(env, json.data(), json.size(), &text) != napi_ok) return Undefined(env);
  napi_set_element(env, result, 0, text);
  uint32_t k = 1;
  for (const Replacement& r : parser.replacements) {
    napi_value index, first, count;
    napi_create_int32(env, r.input, &index);
    napi_create_double(env, static_cast<double>(r.first), &first);
    napi_create_double(env, static_cast<double>(r.count), &count);
    napi_set_element(env, result, k++, index);
    napi_set_element(env, result, k++, first);
    napi_set_element(env, result, k++, count);
  }
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "parse", NAPI_AUTO_LENGTH, Parse, nullptr, &fn);
  napi_set_named_property(env, exports, "parse", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
