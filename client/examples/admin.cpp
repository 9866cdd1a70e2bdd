// Example: create a topic and describe it and the cluster.
//   sluice-example-admin BOOTSTRAP TOPIC [PARTITIONS] [REPLICAS]
#include "sluice/admin.h"

#include <cstdio>
#include <string>

namespace sc = sluice::client;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC [PARTITIONS] [REPLICAS]\n", argv[0]);
    return 2;
  }
  sc::AdminConfig config;
  config.bootstrap_servers = {argv[1]};
  auto admin = sc::Admin::create(config);
  if (!admin) {
    std::fprintf(stderr, "admin: %s\n", admin.error().to_string().c_str());
    return 1;
  }
  auto cluster = (*admin)->describe_cluster();
  if (!cluster) {
    std::fprintf(stderr, "describe cluster: %s\n", cluster.error().to_string().c_str());
    return 1;
  }
  std::printf("cluster %s, controller %d, %zu brokers\n", cluster->cluster_id.c_str(),
              cluster->controller_id, cluster->brokers.size());

  sc::NewTopic topic;
  topic.name = argv[2];
  topic.partitions = argc > 3 ? std::stoi(argv[3]) : 3;
  topic.replication_factor = static_cast<int16_t>(argc > 4 ? std::stoi(argv[4]) : 1);
  auto created = (*admin)->create_topics({topic});
  if (!created) {
    std::fprintf(stderr, "create topics: %s\n", created.error().to_string().c_str());
    return 1;
  }
  for (const auto& t : *created) {
    // One topic's failure (e.g. TOPIC_ALREADY_EXISTS) is reported on that topic.
    if (!t.status)
      std::fprintf(stderr, "%s: %s\n", t.name.c_str(), t.status.error().to_string().c_str());
  }
  auto described = (*admin)->describe_topics({topic.name});
  if (!described) {
    std::fprintf(stderr, "describe: %s\n", described.error().to_string().c_str());
    return 1;
  }
  for (const auto& t : *described) {
    for (const auto& p : t.partitions) {
      std::printf("%s-%d leader %d replicas %zu isr %zu\n", t.name.c_str(), p.partition, p.leader,
                  p.replicas.size(), p.isr.size());
    }
  }
  return 0;
}
