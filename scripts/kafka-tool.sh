#!/usr/bin/env bash
# Runs one of Kafka's command-line tools from the jars the stack uses, e.g.
#   scripts/kafka-tool.sh topics --list
#   scripts/kafka-tool.sh topics --describe --topic loms.order-events
#   scripts/kafka-tool.sh consumer --topic loms.order-events --from-beginning --property print.key=true
#   scripts/kafka-tool.sh groups --list
# The bootstrap servers of the local stack are added for you.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
[[ -f $CACHE/kafka-libs/.complete ]] || die "Kafka jars missing: run 'make stack-up' first"
tool=${1:?usage: kafka-tool.sh topics|consumer|groups ARGS...}
shift
case $tool in
  topics) main=org.apache.kafka.tools.TopicCommand ;;
  consumer) main=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  groups) main=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  *) die "unknown tool $tool (topics, consumer, groups)" ;;
esac
exec java -Xmx256m -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2-tools.yaml" -cp "$CACHE/kafka-libs/*" \
  "$main" --bootstrap-server "$KAFKA_BOOTSTRAP" "$@"
