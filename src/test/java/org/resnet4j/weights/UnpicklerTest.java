package org.resnet4j.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resnet4j.testing.Messages.assertContains;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.resnet4j.ResNet4jException.FormatException;
import org.resnet4j.ResNet4jException.UnsafeContentException;

/** The restricted interpreter on hand-assembled pickles. */
class UnpicklerTest {
    /** A tiny pickle assembler: opcodes and raw bytes. */
    private static final class P {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        P op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        P shortStr(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(0x8c, b.length);
            out.writeBytes(b);
            return this;
        }

        P text(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Object load() {
            byte[] b = out.toByteArray();
            return new Unpickler(ByteBuffer.wrap(b), 0, b.length, "test.pkl", new TorchPickle("test.pkl")).load();
        }
    }

    @Test
    void protocol4ContainersAndNumbers() {
        // {'a': [1, -2, 300, 70000, 2**70, 1.5, None, True], 'b': ('x', b'\x01')}
        P p = new P()
                .op(0x80, 4, 0x95, 0, 0, 0, 0, 0, 0, 0, 0)
                .op('}', 0x94)
                .shortStr("a")
                .op(0x94, ']', 0x94, '(')
                .op('K', 1)
                .op('J', 0xfe, 0xff, 0xff, 0xff)
                .op('M', 0x2c, 0x01)
                .op('J', 0x70, 0x11, 0x01, 0x00)
                .op(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x40)
                .op('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0)
                .op('N', 0x88)
                .op('e', 's')
                .shortStr("b")
                .shortStr("x")
                .op('C', 1, 1)
                .op(0x86, 's')
                .op('h', 2) // memo 2 is the list
                .op('0', '.');
        @SuppressWarnings("unchecked")
        Map<Object, Object> m = (Map<Object, Object>) p.load();
        List<?> a = (List<?>) m.get("a");
        assertEquals(List.of(1L, -2L, 300L, 70000L, java.math.BigInteger.ONE.shiftLeft(70), 1.5), a.subList(0, 6));
        assertEquals(null, a.get(6));
        assertEquals(true, a.get(7));
        PyValues.Tuple b = (PyValues.Tuple) m.get("b");
        assertEquals("x", b.get(0));
        assertArrayEquals(new byte[] {1}, (byte[]) b.get(1));
    }

    @Test
    void stackGlobalOffTheAllowListIsRefusedByName() {
        P p = new P()
                .op(0x80, 4)
                .shortStr("builtins")
                .shortStr("eval")
                .op(0x93)
                .shortStr("1+1")
                .op(0x85, 'R', '.');
        UnsafeContentException e = assertThrows(UnsafeContentException.class, p::load);
        assertTrue(e.getMessage().contains("refused pickle global builtins.eval"), e.getMessage());
    }

    @Test
    void globalOpcodeIsRefusedBeforeAnyCall() {
        P p = new P().op(0x80, 2, 'c').text("subprocess\nPopen\n").op(')', 'R', '.');
        UnsafeContentException e = assertThrows(UnsafeContentException.class, p::load);
        assertTrue(e.getMessage().contains("subprocess.Popen"), e.getMessage());
    }

    @Test
    void extensionRegistryAndInstAreRefused() {
        assertThrows(
                UnsafeContentException.class,
                () -> new P().op(0x80, 2, 0x82, 1, '.').load());
        assertThrows(
                UnsafeContentException.class,
                () -> new P().op(0x80, 2, '(', 'i').text("os\nsystem\n").op('.').load());
    }

    @Test
    void unknownOpcodeNamesByteAndOffset() {
        FormatException e = assertThrows(
                FormatException.class, () -> new P().op(0x80, 2, 'N', 0xff, '.').load());
        assertContains(e.getMessage(), "0xff", "offset 3");
    }

    @Test
    void lengthsBeyondTheDataAreTruncation() {
        FormatException e = assertThrows(
                FormatException.class,
                () -> new P().op(0x80, 2, 'X', 0xff, 0xff, 0xff, 0x7f, 'a', '.').load());
        assertTrue(e.getMessage().contains("truncated pickle"), e.getMessage());
        assertThrows(FormatException.class, () -> new P().op(0x80, 2, 'N').load());
    }

    @Test
    void stackAndMemoMisuseIsAFormatError() {
        assertThrows(
                FormatException.class, () -> new P().op(0x80, 2, 'h', 9, '.').load());
        assertThrows(FormatException.class, () -> new P().op(0x80, 2, 'R', '.').load());
        assertThrows(
                FormatException.class, () -> new P().op(0x80, 2, 'N', 'N', '.').load());
        assertThrows(
                FormatException.class,
                () -> new P().op(0x80, 2, 'N', ']', 'N', 'b', '.').load());
        // a list cannot be a dict key
        assertThrows(
                FormatException.class,
                () -> new P().op(0x80, 2, '}', ']', 'N', 's', '.').load());
    }

    @Test
    void deeplyNestedTuplesAreRefused() {
        P p = new P().op(0x80, 2, 'N');
        for (int i = 0; i < 1000; i++) {
            p.op(0x85);
        }
        UnsafeContentException e =
                assertThrows(UnsafeContentException.class, () -> p.op('.').load());
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    }

    @Test
    void selfReferencingListsDoNotHang() {
        // l = []; l.append(l)
        Object o = new P().op(0x80, 2, ']', 'q', 0, 'h', 0, 'a', '.').load();
        assertTrue(o instanceof List<?> l && l.size() == 1 && l.get(0) == l);
    }

    @Test
    void storagePersistentIdNeedsAStorageType() {
        // ('storage', collections.OrderedDict, '0', 'cpu', 4) as a persistent id
        P p = new P()
                .op(0x80, 2, '(')
                .shortStr("storage")
                .op('c')
                .text("collections\nOrderedDict\n")
                .shortStr("0")
                .shortStr("cpu")
                .op('K', 4, 't', 'Q', '.');
        FormatException e = assertThrows(FormatException.class, p::load);
        assertTrue(e.getMessage().contains("storage type"), e.getMessage());
    }
}
