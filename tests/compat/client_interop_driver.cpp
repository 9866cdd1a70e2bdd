// The Sluice C++ client's side of tests/compat/client_interop_test.py: produces a fixed set of
// records for other clients (kcat, confluent_kafka) to read, and prints what it reads so the
// test can compare it with what other clients produced.
//
//   client_interop_driver produce       BOOTSTRAP TOPIC CODEC   # the records of record_at(i), to
//   partition 0 client_interop_driver produce-keyed BOOTSTRAP TOPIC COUNT   # keys only, the
//   partitioner chooses client_interop_driver consume       BOOTSTRAP TOPIC N       # partition 0
//   from offset 0, N records
//
// `produce` exits 0 only when every record was acknowledged (acks=all). `produce-keyed` prints
// one JSON line per record, {"key": base64, "partition": p}, from its delivery report.
// `consume` prints one JSON line per record:
//   {"partition":0,"offset":5,"timestamp":1700000000005,"timestamp_type":"create",
//    "key":"base64"|null,"value":"base64"|null,"headers":[{"key":"h","value":"base64"|null}]}
// and exits 0 once N records were printed, 1 if they did not arrive within 60 s.
//
// The record set must stay in step with expected_record() in client_interop_test.py.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sluice/config.h"
#include "sluice/consumer.h"
#include "sluice/producer.h"

namespace sc = sluice::client;

namespace {

constexpr int kRecordCount = 300;
constexpr int64_t kBaseTimestamp = 1700000000000;

// Bytes that are not text: every value 0..255 appears across records, NULs included.
std::string binary_bytes(int i, int length) {
  std::string out;
  for (int j = 0; j < length; ++j) out.push_back(static_cast<char>((i * 31 + j * 7) & 0xff));
  return out;
}

// Record i of the fixed set (see expected_record() in client_interop_test.py):
//   key:     null when i%10==0, empty when i%10==1, binary when i%10==2, else "key-<i>"
//   value:   null when i%11==0, empty when i%11==1, binary when i%11==2, else compressible text
//   headers: the first i%5 of [h1=v<i>, null-header=null, bin=<binary>, h1=dup]
//   timestamp: kBaseTimestamp + i
sc::ProducerRecord record_at(const std::string& topic, int i) {
  sc::ProducerRecord r;
  r.topic = topic;
  r.partition = 0;
  r.timestamp_ms = kBaseTimestamp + i;
  switch (i % 10) {
    case 0:
      break;
    case 1:
      r.key = std::string();
      break;
    case 2:
      r.key = binary_bytes(i, 16);
      break;
    default:
      r.key = "key-" + std::to_string(i);
  }
  switch (i % 11) {
    case 0:
      break;
    case 1:
      r.value = std::string();
      break;
    case 2:
      r.value = binary_bytes(i, 256);
      break;
    default: {
      std::string v = "value-" + std::to_string(i) + "-";
      for (int k = 0; k < i % 20; ++k) v += "abcdefghij";
      r.value = std::move(v);
    }
  }
  const std::vector<sc::Header> all = {
      {"h1", "v" + std::to_string(i)},
      {"null-header", std::nullopt},
      {"bin", binary_bytes(i, 5)},
      {"h1", "dup"},
  };
  r.headers.assign(all.begin(), all.begin() + i % 5);
  return r;
}

std::string base64(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
            kAlphabet[n & 63]};
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

std::string json_bytes(const std::optional<std::string>& b) {
  return b ? "\"" + base64(*b) + "\"" : "null";
}

// A JSON string literal; header keys are text, but escape whatever they hold.
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// "host:port,host:port" -> {"host:port", "host:port"}.
std::vector<std::string> split_servers(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

bool parse_codec(const std::string& name, sc::CompressionType& out) {
  static const std::map<std::string, sc::CompressionType> kCodecs = {
      {"none", sc::CompressionType::none},
      {"gzip", sc::CompressionType::gzip},
      {"snappy", sc::CompressionType::snappy},
      {"lz4", sc::CompressionType::lz4},
      {"zstd", sc::CompressionType::zstd}};
  auto it = kCodecs.find(name);
  if (it == kCodecs.end()) return false;
  out = it->second;
  return true;
}

std::unique_ptr<sc::Producer> make_producer(const std::string& bootstrap,
                                            sc::CompressionType codec) {
  sc::ProducerConfig config;
  config.bootstrap_servers = split_servers(bootstrap);
  config.acks = sc::Acks::all;
  config.compression = codec;
  config.linger = std::chrono::milliseconds(20);  // several records per batch
  config.delivery_timeout = std::chrono::seconds(60);
  auto producer = sc::Producer::create(config);
  if (!producer) {
    std::fprintf(stderr, "producer: %s\n", producer.error().to_string().c_str());
    return nullptr;
  }
  return std::move(*producer);
}

// Sends `records` with callbacks, flushes, and returns how many failed; `on_ok` sees each
// successful report (on the producer's thread, serialised by the caller's lock if needed).
template <class OnOk>
int send_all(sc::Producer& producer, std::vector<sc::ProducerRecord> records, OnOk on_ok) {
  std::mutex mu;
  int failed = 0;
  int reported = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    producer.send(std::move(records[i]), [&, i](const sluice::Result<sc::RecordMetadata>& report) {
      std::lock_guard lock(mu);
      ++reported;
      if (!report) {
        std::fprintf(stderr, "record %zu: %s\n", i, report.error().to_string().c_str());
        ++failed;
      } else {
        on_ok(i, *report);
      }
    });
  }
  if (auto st = producer.flush(std::chrono::seconds(60)); !st) {
    std::fprintf(stderr, "flush: %s\n", st.error().to_string().c_str());
    return -1;
  }
  std::lock_guard lock(mu);
  if (reported != static_cast<int>(records.size())) {
    std::fprintf(stderr, "%d reports for %zu records\n", reported, records.size());
    return -1;
  }
  return failed;
}

int produce(const std::string& bootstrap, const std::string& topic, const std::string& codec_name) {
  sc::CompressionType codec;
  if (!parse_codec(codec_name, codec)) {
    std::fprintf(stderr, "unknown codec %s\n", codec_name.c_str());
    return 2;
  }
  auto producer = make_producer(bootstrap, codec);
  if (!producer) return 1;
  std::vector<sc::ProducerRecord> records;
  for (int i = 0; i < kRecordCount; ++i) records.push_back(record_at(topic, i));
  int64_t next_offset = -1;
  bool in_order = true;
  const int failed =
      send_all(*producer, std::move(records), [&](size_t, const sc::RecordMetadata& md) {
        // One partition, one producer: offsets follow send order.
        if (next_offset >= 0 && md.offset != next_offset) in_order = false;
        next_offset = md.offset + 1;
      });
  if (auto st = producer->close(std::chrono::seconds(10)); !st) {
    std::fprintf(stderr, "close: %s\n", st.error().to_string().c_str());
    return 1;
  }
  if (!in_order) std::fprintf(stderr, "offsets not in send order\n");
  std::printf("%d records acknowledged\n", failed == 0 ? kRecordCount : 0);
  return failed == 0 && in_order ? 0 : 1;
}

int produce_keyed(const std::string& bootstrap, const std::string& topic, int count) {
  auto producer = make_producer(bootstrap, sc::CompressionType::none);
  if (!producer) return 1;
  std::vector<sc::ProducerRecord> records;
  for (int i = 0; i < count; ++i) {
    sc::ProducerRecord r;
    r.topic = topic;
    // An empty key (hashed like any other: it is not null), text keys, and binary keys of
    // every length 1..16 (murmur2's tail handling).
    r.key = i == 0       ? std::string()
            : i % 4 == 3 ? binary_bytes(i, 1 + i % 16)
                         : "user-" + std::to_string(i);
    r.value = "v" + std::to_string(i);
    records.push_back(std::move(r));
  }
  std::vector<std::string> keys;
  for (const auto& r : records) keys.push_back(*r.key);
  std::vector<int32_t> partitions(records.size(), -1);
  const int failed =
      send_all(*producer, std::move(records),
               [&](size_t i, const sc::RecordMetadata& md) { partitions[i] = md.partition; });
  (void)producer->close(std::chrono::seconds(10));
  if (failed != 0) return 1;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::printf("{\"key\":\"%s\",\"partition\":%d}\n", base64(keys[i]).c_str(), partitions[i]);
  }
  return 0;
}

int consume(const std::string& bootstrap, const std::string& topic, long n) {
  sc::ConsumerConfig config;
  config.bootstrap_servers = split_servers(bootstrap);
  config.auto_offset_reset = sc::OffsetReset::earliest;
  config.enable_auto_commit = false;
  auto consumer = sc::Consumer::create(config);
  if (!consumer) {
    std::fprintf(stderr, "consumer: %s\n", consumer.error().to_string().c_str());
    return 1;
  }
  const sc::TopicPartition tp{topic, 0};
  if (auto st = (*consumer)->assign({tp}); !st) {
    std::fprintf(stderr, "assign: %s\n", st.error().to_string().c_str());
    return 1;
  }
  if (auto st = (*consumer)->seek_to_beginning({tp}); !st) {
    std::fprintf(stderr, "seek: %s\n", st.error().to_string().c_str());
    return 1;
  }
  long printed = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (printed < n && std::chrono::steady_clock::now() < deadline) {
    auto records = (*consumer)->poll(std::chrono::milliseconds(500));
    if (!records) {
      std::fprintf(stderr, "poll: %s\n", records.error().to_string().c_str());
      if (!sc::is_retriable(records.error())) return 1;
      continue;
    }
    for (const auto& r : *records) {
      if (printed == n) break;
      std::string line =
          "{\"partition\":" + std::to_string(r.partition) +
          ",\"offset\":" + std::to_string(r.offset) +
          ",\"timestamp\":" + std::to_string(r.timestamp_ms) + ",\"timestamp_type\":\"" +
          (r.timestamp_type == sc::TimestampType::create_time ? "create" : "log_append") +
          "\",\"key\":" + json_bytes(r.key) + ",\"value\":" + json_bytes(r.value) +
          ",\"headers\":[";
      for (size_t h = 0; h < r.headers.size(); ++h) {
        if (h > 0) line += ",";
        line += "{\"key\":" + json_string(r.headers[h].key) +
                ",\"value\":" + json_bytes(r.headers[h].value) + "}";
      }
      line += "]}\n";
      std::fputs(line.c_str(), stdout);
      ++printed;
    }
  }
  std::fflush(stdout);
  (void)(*consumer)->close();
  if (printed < n) {
    std::fprintf(stderr, "%ld of %ld records within 60 s\n", printed, n);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr,
                 "usage: %s produce BOOTSTRAP TOPIC CODEC | produce-keyed BOOTSTRAP TOPIC COUNT |"
                 " consume BOOTSTRAP TOPIC N\n",
                 argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "produce") return produce(argv[2], argv[3], argv[4]);
  if (mode == "produce-keyed") return produce_keyed(argv[2], argv[3], std::stoi(argv[4]));
  if (mode == "consume") return consume(argv[2], argv[3], std::stol(argv[4]));
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
