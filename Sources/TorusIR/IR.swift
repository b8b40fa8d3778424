public enum TorusIRModule {}
