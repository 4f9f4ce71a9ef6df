package org.resnet4j.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import org.resnet4j.ReaderLimits;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;

/**
 * Counts, before protobuf builds anything, the objects a serialised ONNX model would become: every
 * embedded message, string or bytes field and every field our schema does not know (kept by protobuf
 * as an unknown field). Each costs a Java object of 50 to 250 bytes however few bytes it takes in the
 * file (an empty initializer is 2 bytes), so a 4 MB file of empty initializers would otherwise parse
 * into half a gigabyte before {@link OnnxValidator} could say anything. The walk follows the schema
 * ({@link ModelProto}'s descriptor), allocates nothing per field and stops at {@code onnx.maxObjects}.
 *
 * <p>Stateless apart from one walk; not shared between threads.
 */
final class ObjectCount {
    /** protobuf-java's own nesting limit: deeper messages would fail to parse anyway. */
    private static final int MAX_DEPTH = 100;

    private final String file;
    private final long max;
    private long count;

    private ObjectCount(String file, long max) {
        this.file = file;
        this.max = max;
    }

    /** Throws {@link UnsafeContentException} when the model would become more than {@code onnx.maxObjects} objects. */
    static void check(String file, byte[] bytes) {
        ObjectCount c = new ObjectCount(file, ReaderLimits.current().onnxMaxObjects());
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        try {
            if (c.message(in, ModelProto.getDescriptor(), 0) != 0) {
                throw new InvalidProtocolBufferException("end-group tag outside a group");
            }
        } catch (InvalidProtocolBufferException e) {
            throw new FormatException(file + ": not a valid ONNX model (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new FormatException(file + ": not a valid ONNX model (" + e + ")");
        }
    }

    private void bump() {
        if (++count > max) {
            throw new UnsafeContentException(file + ": the model holds more than " + max
                    + " messages, strings and unknown fields (" + ReaderLimits.hint("onnx.maxObjects") + ")");
        }
    }

    /** Reads fields until the current limit (or an end-group tag, returned). */
    private int message(CodedInputStream in, Descriptor type, int depth) throws IOException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0 || WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_END_GROUP) {
                return tag;
            }
            FieldDescriptor field = type == null ? null : type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
            int wire = WireFormat.getTagWireType(tag);
            if (field == null || wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                bump();
            }
            if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED
                    && field != null
                    && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                nested(in, depth);
                int length = in.readRawVarint32();
                int old = in.pushLimit(length);
                if (message(in, field.getMessageType(), depth + 1) != 0) {
                    throw new InvalidProtocolBufferException("end-group tag outside a group");
                }
                in.popLimit(old);
            } else if (wire == WireFormat.WIRETYPE_START_GROUP) {
                // a group: its fields become unknown fields too, each counted
                nested(in, depth);
                int end = message(in, null, depth + 1);
                if (end != (tag & ~7 | WireFormat.WIRETYPE_END_GROUP)) { // the same field's end-group tag
                    throw new InvalidProtocolBufferException("unterminated group");
                }
            } else {
                in.skipField(tag);
            }
        }
    }

    private void nested(CodedInputStream in, int depth) {
        if (depth + 1 >= MAX_DEPTH) {
            throw new FormatException(file + ": messages nested deeper than " + MAX_DEPTH + " (protobuf's limit)");
        }
    }
}
