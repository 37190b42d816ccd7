package tools

// kafka-dump-log.sh: kafka.tools.DumpLogSegments (Kafka 2.8, cli.md §10).
//
// Behaviour: for each file of --files prints "Dumping <file>", then by
// suffix:
//   - .log: "Starting offset: <base>", one line per batch (position,
//     CRC and its validity), with --deep-iteration (implied by
//     --print-data-log and the decoder options) one "| offset: ..." line
//     per record in the 2.8 layout, and "Found N invalid bytes at the end
//     of <name>" for a torn tail. Non-consecutive offsets go to stderr
//     at the end, as Kafka's summary does.
//   - .index: "offset: <absolute> position: <pos>" per entry, stopping at
//     the zero entries of a preallocated index; mismatches with the .log
//     are reported on stderr. "<file> is empty." for an empty index.
//   - .timeindex: "timestamp: <ts> offset: <absolute>" per entry.
//   - --index-sanity-check: "<file> passed sanity check." or the error.
//   - --offsets-decoder: __consumer_offsets keys and values as Kafka's
//     GroupMetadataManager.formatRecordKeyAndValue prints them.
//
// Not implemented (why): --transaction-log-decoder prints keys and values
// as strings (gokafka has no transactions); custom decoder classes are
// not loadable, only kafka.serializer.StringDecoder's behaviour exists;
// .snapshot and .txnindex files (gokafka writes none) print nothing.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	klog "gokafka/log"

	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/urfave/cli/v2"
)

const dumpLogDescription = "This tool helps to parse a log file and dump its contents to the console, useful for debugging a seemingly corrupt log segment."

func dumpLogCommand() *cli.Command {
	return toolCommand("kafka.tools.DumpLogSegments", runDumpLog)
}

func dumpLogOptions() *optionParser {
	p := newOptionParser()
	p.flag("print-data-log", "if set, printing the messages content when dumping data logs. Automatically set if any decoder option is specified.")
	p.flag("verify-index-only", "if set, just verify the index log without printing its content.")
	p.flag("index-sanity-check", "if set, just checks the index sanity without printing its content. This is the same check that is executed on broker startup to determine if an index needs rebuilding or not.")
	p.arg("files", "REQUIRED: The comma separated list of data and index log files to be dumped.", "String", "file1, file2, ...")
	p.arg("max-message-size", "Size of largest message.", "Integer", "size").withDefault("5242880")
	p.flag("deep-iteration", "if set, uses deep instead of shallow iteration. Automatically set if print-data-log is enabled.")
	p.arg("value-decoder-class", "if set, used to deserialize the messages. This class should implement kafka.serializer.Decoder trait. Custom jar should be available in kafka/libs directory.", "String", "").optionalValue().withDefault("kafka.serializer.StringDecoder")
	p.arg("key-decoder-class", "if set, used to deserialize the keys. This class should implement kafka.serializer.Decoder trait. Custom jar should be available in kafka/libs directory.", "String", "").optionalValue().withDefault("kafka.serializer.StringDecoder")
	p.flag("offsets-decoder", "if set, log data will be parsed as offset data from the __consumer_offsets topic.")
	p.flag("transaction-log-decoder", "if set, log data will be parsed as transaction metadata from the __transaction_state topic.")
	p.flag("skip-record-metadata", "whether to skip printing metadata for each record.")
	return p
}

// dumpOpts are the parsed options of one run.
type dumpOpts struct {
	printData, deep, verifyOnly, sanityOnly, offsets, skipMeta bool
	maxMessageSize                                             int
}

func runDumpLog(ctx context.Context, env *toolEnv, args []string) int {
	p := dumpLogOptions()
	s, code, ok := p.parseStandard(env, args, dumpLogDescription)
	if !ok {
		return code
	}
	if code, ok := p.checkRequired(env, s, "files"); !ok {
		return code
	}
	o := dumpOpts{
		printData: s.has("print-data-log") || s.has("offsets-decoder") || s.has("transaction-log-decoder") ||
			s.has("value-decoder-class") || s.has("key-decoder-class"),
		verifyOnly:     s.has("verify-index-only"),
		sanityOnly:     s.has("index-sanity-check"),
		offsets:        s.has("offsets-decoder"),
		skipMeta:       s.has("skip-record-metadata"),
		maxMessageSize: s.intValue("max-message-size"),
	}
	o.deep = s.has("deep-iteration") || o.printData
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	var report dumpReport
	status := 0
	for _, f := range strings.Split(s.value("files"), ",") {
		fmt.Fprintf(out, "Dumping %s\n", f)
		var err error
		switch filepath.Ext(f) {
		case klog.LogFileSuffix:
			err = dumpLogFile(out, f, o, &report)
		case klog.IndexFileSuffix:
			err = dumpIndexFile(out, f, o, &report)
		case klog.TimeIndexFileSuffix:
			err = dumpTimeIndexFile(out, f, o, &report)
		case klog.SnapshotFileSuffix, klog.TxnIndexFileSuffix:
		default:
			out.Flush()
			fmt.Fprintf(env.Stderr, "Ignoring unknown file %s\n", f)
		}
		if err != nil {
			out.Flush()
			fmt.Fprintf(env.Stderr, "Exception in thread \"main\" %v\n", err)
			status = 1
			break
		}
	}
	out.Flush()
	report.print(env.Stderr)
	return status
}

// dumpReport collects what Kafka prints to stderr after all files.
type dumpReport struct {
	indexMismatches map[string][][2]int64
	nonConsecutive  map[string][][2]int64
	order           []string
}

func (r *dumpReport) add(m *map[string][][2]int64, file string, a, b int64) {
	if *m == nil {
		*m = map[string][][2]int64{}
	}
	if _, ok := (*m)[file]; !ok {
		r.order = append(r.order, file)
	}
	(*m)[file] = append((*m)[file], [2]int64{a, b})
}

func (r *dumpReport) print(w io.Writer) {
	for _, f := range r.order {
		if ms, ok := r.indexMismatches[f]; ok {
			fmt.Fprintf(w, "Mismatches in :%s\n", f)
			for i := len(ms) - 1; i >= 0; i-- { // Kafka prepends to a list
				fmt.Fprintf(w, "  Index offset: %d, log offset: %d\n", ms[i][0], ms[i][1])
			}
		}
	}
	for _, f := range r.order {
		if ps, ok := r.nonConsecutive[f]; ok {
			fmt.Fprintf(w, "Non-consecutive offsets in %s\n", f)
			for i := len(ps) - 1; i >= 0; i-- {
				fmt.Fprintf(w, "  %d is followed by %d\n", ps[i][0], ps[i][1])
			}
		}
	}
}

func baseOffsetOf(path string) (int64, error) {
	name := filepath.Base(path)
	n, err := strconv.ParseInt(strings.SplitN(name, ".", 2)[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("java.lang.NumberFormatException: For input string: %q", strings.SplitN(name, ".", 2)[0])
	}
	return n, nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// dumpLogFile prints the batches (and records) of a .log file.
func dumpLogFile(out *bufio.Writer, path string, o dumpOpts, report *dumpReport) error {
	base, err := baseOffsetOf(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Starting offset: %d\n", base)
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("java.nio.file.NoSuchFileException: %s", path)
	}
	var valid int64
	last := int64(-1)
	for b := range klog.Batches(data) {
		printBatchLine(out, b, valid)
		if o.deep {
			recs, err := b.Records()
			if err != nil {
				return fmt.Errorf("org.apache.kafka.common.errors.CorruptRecordException: %v", err)
			}
			for _, r := range recs {
				if last == -1 {
					last = r.Offset
				} else if r.Offset != last+1 {
					report.add(&report.nonConsecutive, absPath(path), last, r.Offset)
				}
				last = r.Offset
				printRecordLine(out, b, r, valid, o)
			}
		}
		valid += int64(b.Size())
	}
	if trailing := int64(len(data)) - valid; trailing > 0 {
		fmt.Fprintf(out, "Found %d invalid bytes at the end of %s\n", trailing, filepath.Base(path))
	}
	return nil
}

func printBatchLine(out *bufio.Writer, b klog.Batch, position int64) {
	fmt.Fprintf(out, "baseOffset: %d lastOffset: %d count: %d baseSequence: %d lastSequence: %d producerId: %d producerEpoch: %d partitionLeaderEpoch: %d isTransactional: %t isControl: %t position: %d %s: %d size: %d magic: %d compresscodec: %s crc: %d isvalid: %t\n",
		b.BaseOffset, b.LastOffset(), b.RecordCount, b.BaseSequence, b.LastSequence(), b.ProducerID, b.ProducerEpoch,
		b.PartitionLeaderEpoch, b.IsTransactional(), b.IsControl(), position, b.TimestampTypeName(), b.MaxTimestamp,
		b.Size(), b.Magic, b.CompressionName(), b.CRC, klog.ValidBatchCRC(b.Raw))
}

// printRecordLine prints one record in Kafka 2.8's deep-iteration layout.
func printRecordLine(out *bufio.Writer, b klog.Batch, r klog.Record, position int64, o dumpOpts) {
	prefix := "| "
	if !o.skipMeta {
		fmt.Fprintf(out, "| offset: %d isValid: true crc: null keySize: %d valueSize: %d %s: %d baseOffset: %d lastOffset: %d baseSequence: %d lastSequence: %d producerEpoch: %d partitionLeaderEpoch: %d batchSize: %d magic: %d compressType: %s position: %d sequence: %d headerKeys: [%s]",
			r.Offset, size(r.Key), size(r.Value), b.TimestampTypeName(), r.Timestamp, b.BaseOffset, b.LastOffset(),
			b.BaseSequence, b.LastSequence(), b.ProducerEpoch, b.PartitionLeaderEpoch, b.Size(), b.Magic,
			b.CompressionName(), position, r.Sequence, headerKeys(r))
		prefix = " "
	}
	if b.IsControl() {
		if !o.skipMeta {
			printControl(out, r)
		}
	} else if o.printData {
		key, value := formatKeyValue(r, o)
		if key != nil {
			fmt.Fprintf(out, "%skey: %s", prefix, *key)
			prefix = " "
		}
		if value != nil {
			fmt.Fprintf(out, "%spayload: %s", prefix, *value)
		}
	}
	out.WriteString("\n")
}

func size(b []byte) int {
	if b == nil {
		return -1
	}
	return len(b)
}

func headerKeys(r klog.Record) string {
	keys := make([]string, len(r.Headers))
	for i, h := range r.Headers {
		keys[i] = h.Key
	}
	return strings.Join(keys, ",")
}

// printControl prints a transaction marker as EndTransactionMarker does.
func printControl(out *bufio.Writer, r klog.Record) {
	if len(r.Key) < 4 {
		return
	}
	typ := int16(binary.BigEndian.Uint16(r.Key[2:]))
	switch typ {
	case 0, 1:
		name := map[int16]string{0: "ABORT", 1: "COMMIT"}[typ]
		epoch := int32(-1)
		if len(r.Value) >= 6 {
			epoch = int32(binary.BigEndian.Uint32(r.Value[2:]))
		}
		fmt.Fprintf(out, " endTxnMarker: %s coordinatorEpoch: %d", name, epoch)
	default:
		fmt.Fprintf(out, " controlType: UNKNOWN(%d)", typ)
	}
}

// formatKeyValue decodes a record's key and value for printing; nil
// means "absent" (a null key or value is not printed).
func formatKeyValue(r klog.Record, o dumpOpts) (*string, *string) {
	if o.offsets {
		return formatOffsetsRecord(r)
	}
	var k, v *string
	if r.Key != nil {
		s := string(r.Key)
		k = &s
	}
	if r.Value != nil {
		s := string(r.Value)
		v = &s
	}
	return k, v
}

// formatOffsetsRecord is GroupMetadataManager.formatRecordKeyAndValue.
func formatOffsetsRecord(r klog.Record) (*string, *string) {
	str := func(s string) *string { return &s }
	if len(r.Key) < 2 {
		return nil, str("<error: message had a missing key>")
	}
	version := int16(binary.BigEndian.Uint16(r.Key))
	switch version {
	case 0, 1:
		var k kmsg.OffsetCommitKey
		if err := k.ReadFrom(r.Key); err != nil {
			return nil, str("<error: " + err.Error() + ">")
		}
		key := fmt.Sprintf("offset_commit::group=%s,partition=%s-%d", k.Group, k.Topic, k.Partition)
		if r.Value == nil {
			return &key, str("<DELETE>")
		}
		var v kmsg.OffsetCommitValue
		if err := v.ReadFrom(r.Value); err != nil {
			return &key, str("<error: " + err.Error() + ">")
		}
		if v.Metadata == "" {
			return &key, str(fmt.Sprintf("offset=%d", v.Offset))
		}
		return &key, str(fmt.Sprintf("offset=%d,metadata=%s", v.Offset, v.Metadata))
	case 2:
		var k kmsg.GroupMetadataKey
		if err := k.ReadFrom(r.Key); err != nil {
			return nil, str("<error: " + err.Error() + ">")
		}
		key := "group_metadata::group=" + k.Group
		if r.Value == nil {
			return &key, str("<DELETE>")
		}
		var v kmsg.GroupMetadataValue
		if err := v.ReadFrom(r.Value); err != nil {
			return &key, str("<error: " + err.Error() + ">")
		}
		var members []string
		for _, m := range v.Members {
			if v.ProtocolType == "consumer" {
				var a kmsg.ConsumerMemberAssignment
				if err := a.ReadFrom(m.Assignment); err == nil {
					members = append(members, m.MemberID+"="+dumpAssignment(a))
					continue
				}
			}
			members = append(members, m.MemberID+"="+hex.EncodeToString(m.Assignment))
		}
		var protocol any
		if v.Protocol != nil {
			protocol = *v.Protocol
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(struct {
			ProtocolType string `json:"protocolType"`
			Protocol     any    `json:"protocol"`
			GenerationID int32  `json:"generationId"`
			Assignment   string `json:"assignment"`
		}{v.ProtocolType, protocol, v.Generation, "{" + strings.Join(members, ",") + "}"})
		return &key, str(strings.TrimSuffix(buf.String(), "\n"))
	}
	return nil, str("<error: message had an invalid key>")
}

// dumpAssignment prints a consumer assignment as Java's List<TopicPartition>.toString.
func dumpAssignment(a kmsg.ConsumerMemberAssignment) string {
	var tps []string
	for _, t := range a.Topics {
		for _, p := range t.Partitions {
			tps = append(tps, fmt.Sprintf("%s-%d", t.Topic, p))
		}
	}
	s := "[" + strings.Join(tps, ", ") + "]"
	if len(a.UserData) > 0 {
		s += ":" + hex.EncodeToString(a.UserData)
	}
	return s
}

// indexEntries reads an index file's raw entries.
func readIndexFile(path string, entrySize int) ([]byte, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("java.nio.file.NoSuchFileException: %s", path)
	}
	return data, len(data) / entrySize, nil
}

// dumpIndexFile prints an offset index and checks it against the .log.
func dumpIndexFile(out *bufio.Writer, path string, o dumpOpts, report *dumpReport) error {
	base, err := baseOffsetOf(path)
	if err != nil {
		return err
	}
	data, n, err := readIndexFile(path, 8)
	if err != nil {
		return err
	}
	if o.sanityOnly {
		return sanityCheck(out, path, len(data), 8, func(i int) int64 { return base + int64(int32(binary.BigEndian.Uint32(data[i*8:]))) }, n, base)
	}
	if n == 0 {
		fmt.Fprintf(out, "%s is empty.\n", path)
		return nil
	}
	logData, _ := os.ReadFile(strings.TrimSuffix(path, klog.IndexFileSuffix) + klog.LogFileSuffix)
	for i := 0; i < n; i++ {
		off := base + int64(int32(binary.BigEndian.Uint32(data[i*8:])))
		pos := int64(int32(binary.BigEndian.Uint32(data[i*8+4:])))
		// A preallocated index after a crash is full of zero entries.
		if off == base && i > 0 {
			return nil
		}
		if pos < int64(len(logData)) {
			end := min(int64(len(logData)), pos+int64(o.maxMessageSize))
			for b := range klog.Batches(logData[pos:end]) {
				if b.LastOffset() != off {
					report.add(&report.indexMismatches, absPath(path), off, b.LastOffset())
				}
				break
			}
		}
		if !o.verifyOnly {
			fmt.Fprintf(out, "offset: %d position: %d\n", off, pos)
		}
	}
	return nil
}

// dumpTimeIndexFile prints a time index.
func dumpTimeIndexFile(out *bufio.Writer, path string, o dumpOpts, report *dumpReport) error {
	base, err := baseOffsetOf(path)
	if err != nil {
		return err
	}
	data, n, err := readIndexFile(path, 12)
	if err != nil {
		return err
	}
	if o.sanityOnly {
		return sanityCheck(out, path, len(data), 12, func(i int) int64 { return base + int64(int32(binary.BigEndian.Uint32(data[i*12+8:]))) }, n, base)
	}
	if n == 0 {
		fmt.Fprintf(out, "%s is empty.\n", path)
		return nil
	}
	for i := 0; i < n; i++ {
		ts := int64(binary.BigEndian.Uint64(data[i*12:]))
		off := base + int64(int32(binary.BigEndian.Uint32(data[i*12+8:])))
		if off == base && i > 0 {
			return nil
		}
		if !o.verifyOnly {
			fmt.Fprintf(out, "timestamp: %d offset: %d\n", ts, off)
		}
	}
	return nil
}

// sanityCheck is AbstractIndex.sanityCheck as the broker runs it at startup.
func sanityCheck(out *bufio.Writer, path string, length, entrySize int, offsetAt func(int) int64, n int, base int64) error {
	if length%entrySize != 0 {
		return fmt.Errorf("org.apache.kafka.common.errors.CorruptIndexException: Index file %s is corrupt, found %d bytes which is neither positive nor a multiple of %d.", filepath.Base(path), length, entrySize)
	}
	if n > 0 {
		// Past a crash's zero entries the last real one is what counts.
		last := n - 1
		for last > 0 && offsetAt(last) == base {
			last--
		}
		if offsetAt(last) < base {
			return fmt.Errorf("org.apache.kafka.common.errors.CorruptIndexException: Corrupt index found, index file (%s) has non-zero size but the last offset is %d which is less than the base offset %d.", absPath(path), offsetAt(last), base)
		}
	}
	fmt.Fprintf(out, "%s passed sanity check.\n", path)
	return nil
}
