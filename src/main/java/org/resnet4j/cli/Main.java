package org.resnet4j.cli;

public final class Main {
    public static void main(String[] args) {
        System.out.println("resnet4j");
    }
}
