package org.resnet4j.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.resnet4j.files.AtomicOutput;

/**
 * Writes a {@link ModelProto} whose initializers carry large {@code raw_data} without copying those
 * bytes through protobuf's stream encoder: the small parts are serialised by protobuf, the raw
 * tensor bytes go from their buffers (often a memory-mapped checkpoint) straight to the file
 * channel. The output is ordinary protobuf wire format; only the order of fields differs from
 * protobuf's own serialiser (graph last, raw_data last in each tensor), which every protobuf
 * parser accepts (the wire format allows fields in any order).
 *
 * <p>Written to a temporary file in the target folder and moved into place on success.
 */
public final class OnnxStreamWriter {
    private static final int GRAPH_FIELD = ModelProto.GRAPH_FIELD_NUMBER;
    private static final int INITIALIZER_FIELD = GraphProto.INITIALIZER_FIELD_NUMBER;
    private static final int RAW_DATA_FIELD = TensorProto.RAW_DATA_FIELD_NUMBER;

    private OnnxStreamWriter() {}

    public static void write(ModelProto model, Path target) throws IOException {
        AtomicOutput.writeChannel(target, ch -> writeTo(model, ch));
    }

    static void writeTo(ModelProto model, FileChannel ch) throws IOException {
        GraphProto graph = model.getGraph();
        GraphProto graphHead = graph.toBuilder().clearInitializer().build();
        long graphSize = graphHead.getSerializedSize();
        for (TensorProto t : graph.getInitializerList()) {
            graphSize += lengthDelimitedSize(INITIALIZER_FIELD, t.getSerializedSize());
        }
        writeFully(ch, ByteBuffer.wrap(model.toBuilder().clearGraph().build().toByteArray()));
        writeFully(ch, ByteBuffer.wrap(tagAndLength(GRAPH_FIELD, graphSize)));
        writeFully(ch, ByteBuffer.wrap(graphHead.toByteArray()));
        for (TensorProto t : graph.getInitializerList()) {
            writeFully(ch, ByteBuffer.wrap(tagAndLength(INITIALIZER_FIELD, t.getSerializedSize())));
            ByteString raw = t.getRawData();
            TensorProto head = t.hasRawData() ? t.toBuilder().clearRawData().build() : t;
            writeFully(ch, ByteBuffer.wrap(head.toByteArray()));
            if (t.hasRawData()) {
                writeFully(ch, ByteBuffer.wrap(tagAndLength(RAW_DATA_FIELD, raw.size())));
                for (ByteBuffer part : raw.asReadOnlyByteBufferList()) {
                    writeFully(ch, part);
                }
            }
        }
    }

    private static long lengthDelimitedSize(int field, long size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt64SizeNoTag(size) + size;
    }

    private static byte[] tagAndLength(int field, long length) throws IOException {
        byte[] out =
                new byte[CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt64SizeNoTag(length)];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        c.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        c.writeUInt64NoTag(length);
        c.checkNoSpaceLeft();
        return out;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
